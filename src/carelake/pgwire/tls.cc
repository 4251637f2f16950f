#include "carelake/pgwire/tls.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>

#include <cstdio>
#include <filesystem>

namespace carelake::pgwire {
namespace {

std::string OpenSslError() {
  const unsigned long code = ERR_get_error();  // NOLINT(runtime/int): OpenSSL's type
  if (code == 0) return "unknown TLS error";
  char text[256];
  ERR_error_string_n(code, text, sizeof(text));
  ERR_clear_error();
  return text;
}

class TlsStream : public Stream {
 public:
  explicit TlsStream(SSL* ssl) : ssl_(ssl) {}
  ~TlsStream() override {
    SSL_shutdown(ssl_);
    SSL_free(ssl_);
  }
  Result<size_t> Read(char* buf, size_t n) override {
    size_t got = 0;
    if (SSL_read_ex(ssl_, buf, n, &got) == 1) return got;
    const int err = SSL_get_error(ssl_, 0);
    if (err == SSL_ERROR_ZERO_RETURN) return size_t{0};
    if (err == SSL_ERROR_SYSCALL && ERR_peek_error() == 0) return size_t{0};
    return Unavailable("cannot read from the client: " + OpenSslError());
  }
  Status Write(std::string_view bytes) override {
    while (!bytes.empty()) {
      size_t sent = 0;
      if (SSL_write_ex(ssl_, bytes.data(), bytes.size(), &sent) != 1) {
        return Unavailable("cannot write to the client: " + OpenSslError());
      }
      bytes.remove_prefix(sent);
    }
    return Status::Ok();
  }

 private:
  SSL* ssl_;
};

// RFC 5929 section 4.1: the certificate's signature digest, except that MD5
// and SHA-1 become SHA-256.
std::string EndPointHash(X509* cert) {
  int digest_nid = NID_undef;
  int pkey_nid = NID_undef;
  const EVP_MD* md = EVP_sha256();
  if (OBJ_find_sigid_algs(X509_get_signature_nid(cert), &digest_nid, &pkey_nid) == 1 &&
      digest_nid != NID_md5 && digest_nid != NID_sha1 && digest_nid != NID_undef) {
    if (const EVP_MD* m = EVP_get_digestbynid(digest_nid); m != nullptr) md = m;
  }
  unsigned char hash[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  X509_digest(cert, md, hash, &len);
  return std::string(reinterpret_cast<char*>(hash), len);
}

Status WritePem(const std::string& path, mode_t mode, bool key, EVP_PKEY* pkey, X509* cert) {
  FILE* f = std::fopen(path.c_str(), "wx");
  if (f == nullptr) return Internal("cannot create " + path);
  ::fchmod(fileno(f), mode);
  const int ok = key ? PEM_write_PrivateKey(f, pkey, nullptr, nullptr, 0, nullptr, nullptr)
                     : PEM_write_X509(f, cert);
  std::fclose(f);
  if (ok != 1) return Internal("cannot write " + path + ": " + OpenSslError());
  return Status::Ok();
}

// A P-256 key and a self-signed certificate for localhost.
Status MakeSelfSigned(const std::string& cert_file, const std::string& key_file) {
  EVP_PKEY* pkey = EVP_EC_gen("P-256");
  if (pkey == nullptr) return Internal("cannot make a TLS key: " + OpenSslError());
  X509* cert = X509_new();
  X509_set_version(cert, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert), -60);
  X509_gmtime_adj(X509_getm_notAfter(cert), 10L * 365 * 24 * 3600);
  X509_set_pubkey(cert, pkey);
  X509_NAME* name = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("carelake"), -1, -1, 0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("localhost"), -1, -1, 0);
  X509_set_issuer_name(cert, name);
  X509V3_CTX v3;
  X509V3_set_ctx_nodb(&v3);
  X509V3_set_ctx(&v3, cert, cert, nullptr, nullptr, 0);
  if (X509_EXTENSION* san = X509V3_EXT_conf_nid(nullptr, &v3, NID_subject_alt_name,
                                                "DNS:localhost,IP:127.0.0.1,IP:::1")) {
    X509_add_ext(cert, san, -1);
    X509_EXTENSION_free(san);
  }
  Status status;
  if (X509_sign(cert, pkey, EVP_sha256()) == 0) {
    status = Internal("cannot sign the TLS certificate: " + OpenSslError());
  }
  if (status.ok()) status = WritePem(key_file, 0600, true, pkey, cert);
  if (status.ok()) status = WritePem(cert_file, 0644, false, pkey, cert);
  X509_free(cert);
  EVP_PKEY_free(pkey);
  return status;
}

}  // namespace

TlsContext::~TlsContext() { SSL_CTX_free(static_cast<SSL_CTX*>(ctx_)); }

Result<std::unique_ptr<TlsContext>> TlsContext::FromFiles(const std::string& cert_file,
                                                          const std::string& key_file) {
  std::unique_ptr<TlsContext> t(new TlsContext());
  SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
  if (ctx == nullptr) return Internal("cannot make a TLS context: " + OpenSslError());
  t->ctx_ = ctx;
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  if (SSL_CTX_use_certificate_chain_file(ctx, cert_file.c_str()) != 1) {
    return InvalidArgument("cannot load the TLS certificate " + cert_file + ": " + OpenSslError());
  }
  if (SSL_CTX_use_PrivateKey_file(ctx, key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
    return InvalidArgument("cannot load the TLS key " + key_file + ": " + OpenSslError());
  }
  if (SSL_CTX_check_private_key(ctx) != 1) {
    return InvalidArgument("the TLS key " + key_file + " does not match the certificate " +
                           cert_file);
  }
  t->end_point_hash_ = EndPointHash(SSL_CTX_get0_certificate(ctx));
  t->cert_file_ = cert_file;
  return t;
}

Result<std::unique_ptr<TlsContext>> TlsContext::SelfSigned(const std::string& dir) {
  const std::string cert_file = dir + "/server.crt";
  const std::string key_file = dir + "/server.key";
  std::error_code ec;
  if (!std::filesystem::exists(cert_file, ec) || !std::filesystem::exists(key_file, ec)) {
    std::filesystem::create_directories(dir, ec);
    if (ec) return Internal("cannot create " + dir + ": " + ec.message());
    std::filesystem::remove(cert_file, ec);
    std::filesystem::remove(key_file, ec);
    CARELAKE_RETURN_IF_ERROR(MakeSelfSigned(cert_file, key_file));
  }
  return FromFiles(cert_file, key_file);
}

Result<std::unique_ptr<Stream>> TlsContext::Accept(int fd) const {
  SSL* ssl = SSL_new(static_cast<SSL_CTX*>(ctx_));
  if (ssl == nullptr) return Unavailable("cannot start TLS: " + OpenSslError());
  SSL_set_fd(ssl, fd);
  if (SSL_accept(ssl) != 1) {
    std::string why = OpenSslError();
    SSL_free(ssl);
    return Unavailable("TLS handshake failed: " + why);
  }
  return std::unique_ptr<Stream>(new TlsStream(ssl));
}

}  // namespace carelake::pgwire
