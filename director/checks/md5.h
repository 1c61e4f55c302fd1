// MD5 through OpenSSL's EVP, as HTTP_GET's `digest` and lvs-genhash print it: lower-case hex.
#pragma once

#include <openssl/evp.h>

#include <memory>
#include <string>
#include <string_view>

namespace lvsd::director::checks {

// A digest fed piece by piece (a body as it arrives).
class Md5 {
public:
    Md5();
    void update(std::string_view data);
    // The digest of everything fed so far; the object can take more after it. Empty when
    // OpenSSL failed.
    std::string hex() const;

private:
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx_;
    bool ok_ = false;
};

std::string md5_hex(std::string_view data);

} // namespace lvsd::director::checks
