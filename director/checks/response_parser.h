// The HTTP response parser of HTTP_GET and SSL_GET: Beast's parser, keeping only what a check
// looks at. The status, the body's length, and its MD5 when asked, taken as the body arrives:
// neither the header fields nor the body are stored, so a check allocates nothing per field
// and its memory stays small whatever the body's size (the body limit caps what is read).
#pragma once

#include "director/checks/md5.h"

#include <boost/beast/http/basic_parser.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace lvsd::director::checks {

class ResponseParser : public boost::beast::http::basic_parser<false> {
public:
    // `digest`: compute the body's MD5 (digest()); a body longer than `body_limit` is an
    // error (http::error::body_limit).
    ResponseParser(bool digest, std::uint64_t body_limit) {
        this->body_limit(body_limit);
        // Header fields are not kept, so a server's large cookies or policies cost nothing:
        // Beast's default of 8 KB would fail a server that keepalived passes.
        this->header_limit(64 * 1024);
        if (digest)
            md5_.emplace();
    }

    int status() const { return status_; }
    std::size_t body_size() const { return body_size_; }
    // Lower-case hex MD5 of the body so far; empty when not asked for.
    std::string digest() const { return md5_ ? md5_->hex() : std::string(); }

private:
    using error_code = boost::beast::error_code;
    using string_view = boost::beast::string_view;

    void on_request_impl(boost::beast::http::verb, string_view, string_view, int,
                         error_code&) override {}
    void on_response_impl(int code, string_view, int, error_code&) override { status_ = code; }
    void on_field_impl(boost::beast::http::field, string_view, string_view, error_code&) override {}
    void on_header_impl(error_code&) override {}
    void on_body_init_impl(const boost::optional<std::uint64_t>&, error_code&) override {}
    std::size_t on_body_impl(string_view body, error_code&) override {
        body_size_ += body.size();
        if (md5_)
            md5_->update({body.data(), body.size()});
        return body.size();
    }
    void on_chunk_header_impl(std::uint64_t, string_view, error_code&) override {}
    std::size_t on_chunk_body_impl(std::uint64_t, string_view body, error_code& ec) override {
        return on_body_impl(body, ec);
    }
    void on_finish_impl(error_code&) override {}

    int status_ = 0;
    std::size_t body_size_ = 0;
    std::optional<Md5> md5_;
};

} // namespace lvsd::director::checks
