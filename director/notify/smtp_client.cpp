#include "director/notify/smtp_client.h"

#include "director/notify/smtp_protocol.h"
#include "log/log.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>

#include <array>
#include <memory>
#include <unistd.h>

namespace lvsd::director::notify {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

std::string host_name() {
    char buf[256] = {};
    if (::gethostname(buf, sizeof buf - 1) != 0)
        return "localhost";
    return buf;
}

class Session : public std::enable_shared_from_this<Session> {
public:
    Session(asio::io_context& io, SmtpServer server, Mail mail,
            std::function<void(const std::string&)> done)
        : server_(std::move(server)), mail_(std::move(mail)), done_(std::move(done)), resolver_(io),
          socket_(io), timer_(io) {
        if (server_.helo_name.empty())
            server_.helo_name = host_name();
    }

    void start() {
        auto self = shared_from_this();
        arm("connecting");
        boost::system::error_code ec;
        auto address = asio::ip::make_address(server_.host, ec);
        if (!ec) {
            connect(tcp::endpoint(address, server_.port));
            return;
        }
        // A name: the resolver runs getaddrinfo off the loop.
        resolver_.async_resolve(
            server_.host, std::to_string(server_.port),
            [self](const boost::system::error_code& e, const tcp::resolver::results_type& results) {
                if (e)
                    return self->fail("cannot resolve: " + e.message());
                self->connect_any(results);
            });
    }

private:
    // Each wait for the server is bounded; on expiry the socket closes and the pending
    // operation ends with an error.
    void arm(const char* stage) {
        stage_ = stage;
        auto self = shared_from_this();
        timer_.expires_after(server_.timeout);
        timer_.async_wait([self](const boost::system::error_code& e) {
            if (e || self->finished_)
                return;
            self->timed_out_ = true;
            boost::system::error_code ignored;
            self->resolver_.cancel();
            self->socket_.close(ignored);
        });
    }

    void connect(const tcp::endpoint& ep) {
        auto self = shared_from_this();
        socket_.async_connect(ep, [self](const boost::system::error_code& e) {
            if (e)
                return self->fail_io(e);
            self->on_connected();
        });
    }

    void connect_any(const tcp::resolver::results_type& results) {
        auto self = shared_from_this();
        asio::async_connect(socket_, results,
                            [self](const boost::system::error_code& e, const tcp::endpoint&) {
                                if (e)
                                    return self->fail_io(e);
                                self->on_connected();
                            });
    }

    void on_connected() {
        expect("greeting", "", 220, [this] { ehlo(); });
    }

    void ehlo() {
        auto self = shared_from_this();
        command("EHLO", "EHLO " + server_.helo_name, [this, self](const smtp::Reply& r) {
            if (r.code == 250)
                return mail_from();
            // An old server without ESMTP: plain HELO.
            expect("HELO", "HELO " + server_.helo_name, 250, [this] { mail_from(); });
        });
    }

    void mail_from() {
        expect("MAIL FROM", "MAIL FROM:" + smtp::path(mail_.from), 250, [this] { rcpt(0); });
    }

    void rcpt(size_t i) {
        if (i == mail_.to.size()) {
            if (accepted_ == 0)
                return fail("no recipient accepted");
            return expect("DATA", "DATA", 354, [this] { data(); });
        }
        auto self = shared_from_this();
        command("RCPT TO", "RCPT TO:" + smtp::path(mail_.to[i]),
                [this, self, i](const smtp::Reply& r) {
                    if (r.code == 250 || r.code == 251)
                        ++accepted_;
                    else
                        log::warning("smtp: " + server_.host + ": recipient " + mail_.to[i] +
                                     " refused: " + std::to_string(r.code) + " " + r.text);
                    rcpt(i + 1);
                });
    }

    void data() {
        auto payload = smtp::dot_stuff(mail_.message(std::time(nullptr)));
        // dot_stuff ends with CRLF.CRLF; command() adds a CRLF of its own, so send without it.
        payload.resize(payload.size() - 2);
        expect("message", payload, 250, [this] {
            delivered_ = true;
            auto self = shared_from_this();
            // The mail is accepted; QUIT is politeness, its reply is not waited on for success.
            command("QUIT", "QUIT", [self](const smtp::Reply&) { self->succeed(); });
        });
    }

    // Sends `line` (none if empty), waits for the reply, calls `next` with it.
    void command(const char* stage, const std::string& line,
                 std::function<void(const smtp::Reply&)> next) {
        arm(stage);
        auto self = shared_from_this();
        if (line.empty())
            return read_reply(std::move(next));
        out_ = line + "\r\n";
        asio::async_write(
            socket_, asio::buffer(out_),
            [self, next = std::move(next)](const boost::system::error_code& e, size_t) mutable {
                if (e)
                    return self->fail_io(e);
                self->read_reply(std::move(next));
            });
    }

    // command() and a check of the reply code.
    void expect(const char* stage, const std::string& line, int code, std::function<void()> next) {
        auto self = shared_from_this();
        command(stage, line, [self, stage, code, next = std::move(next)](const smtp::Reply& r) {
            if (r.code != code)
                return self->fail(std::string(stage) + ": server answered " +
                                  std::to_string(r.code) + " " + r.text);
            next();
        });
    }

    void read_reply(std::function<void(const smtp::Reply&)> next) {
        if (auto r = smtp::take_reply(in_)) {
            timer_.cancel();
            return next(*r);
        }
        if (in_.size() > 64 * 1024)
            return fail("reply too long");
        auto self = shared_from_this();
        socket_.async_read_some(
            asio::buffer(chunk_),
            [self, next = std::move(next)](const boost::system::error_code& e, size_t n) mutable {
                if (e)
                    return self->fail_io(e);
                self->in_.append(self->chunk_.data(), n);
                self->read_reply(std::move(next));
            });
    }

    void fail_io(const boost::system::error_code& e) {
        if (timed_out_)
            return fail(std::string(stage_) + ": timed out after " +
                        std::to_string(
                            std::chrono::duration_cast<std::chrono::milliseconds>(server_.timeout)
                                .count()) +
                        " ms");
        fail(std::string(stage_) + ": " + e.message());
    }

    void fail(const std::string& why) {
        if (finished_)
            return;
        if (delivered_) // only QUIT went wrong: the mail is with the server
            return succeed();
        finished_ = true;
        close();
        log::error("smtp: " + server_.host + ":" + std::to_string(server_.port) + ": mail '" +
                   mail_.subject + "' not sent: " + why);
        done_(why);
    }

    void succeed() {
        if (finished_)
            return;
        finished_ = true;
        close();
        log::info("smtp: " + server_.host + ":" + std::to_string(server_.port) + ": sent '" +
                  mail_.subject + "'");
        done_("");
    }

    void close() {
        boost::system::error_code ignored;
        timer_.cancel();
        socket_.close(ignored);
    }

    SmtpServer server_;
    Mail mail_;
    std::function<void(const std::string&)> done_;
    tcp::resolver resolver_;
    tcp::socket socket_;
    asio::steady_timer timer_;
    const char* stage_ = "";
    std::string out_;
    std::string in_;
    std::array<char, 4096> chunk_{};
    size_t accepted_ = 0;
    bool timed_out_ = false;
    bool delivered_ = false;
    bool finished_ = false;
};

} // namespace

void send_mail(asio::io_context& io, const SmtpServer& server, Mail mail,
               std::function<void(const std::string& error)> done) {
    auto session = std::make_shared<Session>(io, server, std::move(mail), std::move(done));
    // Started from the loop, so `done` is never called from inside send_mail.
    asio::post(io, [session] { session->start(); });
}

} // namespace lvsd::director::notify
