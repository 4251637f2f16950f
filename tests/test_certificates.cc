#include "test_certificates.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace carelake::testing {

bool MakeTestCertificates(const std::string& dir, const std::string& owner_of,
                          TestCertificates& out, std::string& why_not) {
  const std::string& d = dir;
  const std::string log = d + "/openssl.log";
  const std::string cmds[] = {
      "openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=carelake-test-ca -keyout " + d +
          "/ca.key -out " + d + "/ca.pem",
      "openssl req -newkey rsa:2048 -nodes -subj /CN=localhost -keyout " + d + "/server.key -out " +
          d + "/server.csr",
      "openssl x509 -req -in " + d + "/server.csr -CA " + d + "/ca.pem -CAkey " + d +
          "/ca.key -CAcreateserial -days 2 -extfile " + d + "/san.ext -out " + d + "/server.pem",
      "openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=another-ca -keyout " + d +
          "/other-ca.key -out " + d + "/other-ca.pem",
  };
  std::ofstream(d + "/san.ext") << "subjectAltName=DNS:localhost,IP:127.0.0.1\n";
  for (const std::string& cmd : cmds) {
    if (std::system((cmd + " >>" + log + " 2>&1").c_str()) != 0) {
      std::ifstream in(log);
      std::ostringstream text;
      text << in.rdbuf();
      why_not = "openssl failed: " + cmd + "\n" + text.str();
      return false;
    }
  }
  out = {d + "/ca.pem", d + "/server.pem", d + "/server.key", d + "/other-ca.pem"};
  struct stat owner {};
  if (::stat(owner_of.c_str(), &owner) != 0) {
    why_not = "cannot stat " + owner_of;
    return false;
  }
  for (const std::string& f : {out.cert, out.key}) {
    if (::chown(f.c_str(), owner.st_uid, owner.st_gid) != 0 || ::chmod(f.c_str(), 0600) != 0) {
      why_not = "cannot hand " + f + " to the server's user";
      return false;
    }
  }
  // The CA is read by the server (MariaDB's --ssl-ca) and by clients.
  ::chmod(out.ca.c_str(), 0644);
  ::chmod(d.c_str(), 0755);
  return true;
}

}  // namespace carelake::testing
