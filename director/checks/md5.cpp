#include "director/checks/md5.h"

namespace lvsd::director::checks {

namespace {

// Fetched once: OpenSSL 3 would look the algorithm up in its providers on every EVP_md5() init.
const EVP_MD* md5_method() {
    static EVP_MD* md = EVP_MD_fetch(nullptr, "MD5", nullptr);
    return md;
}

} // namespace

Md5::Md5() : ctx_(EVP_MD_CTX_new(), EVP_MD_CTX_free) {
    ok_ = ctx_ && md5_method() && EVP_DigestInit_ex(ctx_.get(), md5_method(), nullptr) == 1;
}

void Md5::update(std::string_view data) {
    ok_ = ok_ && EVP_DigestUpdate(ctx_.get(), data.data(), data.size()) == 1;
}

std::string Md5::hex() const {
    // Finalised on a copy, so that more can be fed after.
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> end(EVP_MD_CTX_new(), EVP_MD_CTX_free);
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (!ok_ || !end || EVP_MD_CTX_copy_ex(end.get(), ctx_.get()) != 1 ||
        EVP_DigestFinal_ex(end.get(), md, &len) != 1)
        return {};
    static const char digits[] = "0123456789abcdef";
    std::string out;
    out.reserve(len * 2);
    for (unsigned i = 0; i < len; ++i) {
        out += digits[md[i] >> 4];
        out += digits[md[i] & 0xf];
    }
    return out;
}

std::string md5_hex(std::string_view data) {
    Md5 m;
    m.update(data);
    return m.hex();
}

} // namespace lvsd::director::checks
