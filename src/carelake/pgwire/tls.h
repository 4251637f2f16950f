// TLS for the SQL server (OpenSSL, Debian's libssl): a server context from
// a certificate and key, or from a self-signed pair made on first start in
// the project's state folder so that `sslmode=require` works out of the
// box; the handshake on an accepted socket; and the certificate hash that
// SCRAM-SHA-256-PLUS binds to (RFC 5929 tls-server-end-point).
#ifndef CARELAKE_PGWIRE_TLS_H_
#define CARELAKE_PGWIRE_TLS_H_

#include <memory>
#include <string>

#include "carelake/base/result.h"
#include "carelake/pgwire/stream.h"

namespace carelake::pgwire {

class TlsContext {
 public:
  // From PEM files. InvalidArgument naming the file that does not load or a
  // key that does not match the certificate.
  static Result<std::unique_ptr<TlsContext>> FromFiles(const std::string& cert_file,
                                                       const std::string& key_file);
  // <dir>/server.crt and <dir>/server.key, made (self-signed, for
  // "localhost" and 127.0.0.1, valid 10 years, key mode 0600) when absent.
  static Result<std::unique_ptr<TlsContext>> SelfSigned(const std::string& dir);

  ~TlsContext();
  TlsContext(const TlsContext&) = delete;
  TlsContext& operator=(const TlsContext&) = delete;

  // The handshake on `fd` (which the returned stream does not own).
  // Unavailable with OpenSSL's reason when it fails.
  Result<std::unique_ptr<Stream>> Accept(int fd) const;

  // tls-server-end-point channel binding data: the certificate's hash with
  // its signature's digest (SHA-256 for MD5 and SHA-1).
  const std::string& end_point_hash() const { return end_point_hash_; }
  const std::string& cert_file() const { return cert_file_; }

 private:
  TlsContext() = default;
  void* ctx_ = nullptr;  // SSL_CTX
  std::string end_point_hash_;
  std::string cert_file_;
};

}  // namespace carelake::pgwire

#endif  // CARELAKE_PGWIRE_TLS_H_
