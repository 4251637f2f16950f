// TestCertificates: a throwaway certificate authority and a server
// certificate it signed, made with the openssl command (Debian's openssl,
// which ca-certificates pulls in), for tests of TLS between carelake and a
// real server (PostgreSQL, MariaDB).
#ifndef CARELAKE_TESTS_TEST_CERTIFICATES_H_
#define CARELAKE_TESTS_TEST_CERTIFICATES_H_

#include <string>

namespace carelake::testing {

struct TestCertificates {
  std::string ca;        // ca.pem: the CA that signed server.pem
  std::string cert;      // server.pem: CN `localhost`, also for 127.0.0.1
  std::string key;       // server.key: mode 0600
  std::string other_ca;  // other-ca.pem: a CA that signed nothing here
};

// Makes them in `dir` (which exists). The server's files are handed to the
// owner of `owner_of` (the server's folder: `nobody` under root), as a
// server refuses a key others can read. False with `why_not` (openssl's
// output) on failure.
bool MakeTestCertificates(const std::string& dir, const std::string& owner_of,
                          TestCertificates& out, std::string& why_not);

}  // namespace carelake::testing

#endif  // CARELAKE_TESTS_TEST_CERTIFICATES_H_
