// A PostgreSQL frontend written for tests, byte by byte over a loopback
// socket: the start-up packet, the client's side of SCRAM-SHA-256 (RFC 5802,
// computed here with OpenSSL, independently of the server's code), and any
// message — valid, malformed or out of order — so that tests can check what
// the server answers to each.
#ifndef CARELAKE_TESTS_PGWIRE_RAW_CLIENT_H_
#define CARELAKE_TESTS_PGWIRE_RAW_CLIENT_H_

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "carelake/auth/scram.h"

namespace carelake::pgwire::testing {

struct RawMessage {
  char type = 0;
  std::string body;
};

inline void PutInt32(std::string& s, int32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) s.push_back(static_cast<char>(v >> shift));
}
inline void PutInt16(std::string& s, int16_t v) {
  s.push_back(static_cast<char>(v >> 8));
  s.push_back(static_cast<char>(v));
}
inline int32_t GetInt32(const std::string& s, size_t at) {
  return static_cast<int32_t>((uint32_t(uint8_t(s[at])) << 24) |
                              (uint32_t(uint8_t(s[at + 1])) << 16) |
                              (uint32_t(uint8_t(s[at + 2])) << 8) | uint32_t(uint8_t(s[at + 3])));
}

class RawClient {
 public:
  explicit RawClient(int port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  }
  ~RawClient() { ::close(fd_); }
  bool connected() const { return connected_; }
  // Says "no more from me" (the server sees the end of the stream).
  void CloseWrite() { ::shutdown(fd_, SHUT_WR); }

  bool SendRaw(const std::string& bytes) {
    return ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL) ==
           static_cast<ssize_t>(bytes.size());
  }
  bool Send(char type, const std::string& body) {
    std::string m(1, type);
    PutInt32(m, static_cast<int32_t>(body.size() + 4));
    return SendRaw(m + body);
  }
  bool SendStartup(const std::map<std::string, std::string>& params, int32_t version = 3 << 16) {
    std::string body;
    PutInt32(body, version);
    for (const auto& [k, v] : params) body += k + '\0' + v + '\0';
    body.push_back('\0');
    std::string m;
    PutInt32(m, static_cast<int32_t>(body.size() + 4));
    return SendRaw(m + body);
  }

  // The next message, or nullopt when the server closed the connection or
  // said nothing within `timeout_ms`.
  std::optional<RawMessage> Read(int timeout_ms = 10000) {
    std::string header;
    if (!ReadExactly(5, &header, timeout_ms)) return std::nullopt;
    RawMessage m;
    m.type = header[0];
    const int32_t len = GetInt32(header, 1);
    if (len < 4 || !ReadExactly(static_cast<size_t>(len - 4), &m.body, timeout_ms)) {
      return std::nullopt;
    }
    return m;
  }
  // Messages until ReadyForQuery (included), or until the connection ends.
  std::vector<RawMessage> ReadUntilReady(int timeout_ms = 10000) {
    std::vector<RawMessage> out;
    while (auto m = Read(timeout_ms)) {
      out.push_back(*m);
      if (m->type == 'Z') break;
    }
    return out;
  }
  // True when the server closed the connection (within `timeout_ms`).
  bool Closed(int timeout_ms = 5000) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, timeout_ms) <= 0) return false;
    char c;
    return ::recv(fd_, &c, 1, MSG_PEEK) == 0;
  }

  // Start-up and SCRAM-SHA-256; true at the first ReadyForQuery.
  bool Login(const std::string& user, const std::string& password,
             const std::string& database = "clinic") {
    SendStartup({{"user", user}, {"database", database}});
    auto sasl = Read();
    if (!sasl || sasl->type != 'R' || GetInt32(sasl->body, 0) != 10) return false;
    const std::string client_nonce = "rOprNGfwEbeRWgbNEkqO";
    const std::string first_bare = "n=,r=" + client_nonce;
    std::string body = std::string("SCRAM-SHA-256") + '\0';
    PutInt32(body, static_cast<int32_t>(first_bare.size() + 3));
    body += "n,," + first_bare;
    Send('p', body);
    auto cont = Read();
    if (!cont || cont->type != 'R' || GetInt32(cont->body, 0) != 11) return false;
    const std::string server_first = cont->body.substr(4);
    // r=<nonce>,s=<salt>,i=<iterations>
    const size_t s_at = server_first.find(",s=");
    const size_t i_at = server_first.find(",i=");
    const std::string nonce = server_first.substr(2, s_at - 2);
    auto salt = auth::Base64Decode(server_first.substr(s_at + 3, i_at - s_at - 3));
    const int iterations = std::stoi(server_first.substr(i_at + 3));
    if (!salt.ok()) return false;
    unsigned char salted[32];
    PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()),
                      reinterpret_cast<const unsigned char*>(salt->data()),
                      static_cast<int>(salt->size()), iterations, EVP_sha256(), 32, salted);
    const std::string client_key =
        Hmac(std::string(reinterpret_cast<char*>(salted), 32), "Client Key");
    unsigned char stored[32];
    SHA256(reinterpret_cast<const unsigned char*>(client_key.data()), client_key.size(), stored);
    const std::string without_proof = "c=biws,r=" + nonce;
    const std::string auth_message = first_bare + "," + server_first + "," + without_proof;
    const std::string signature =
        Hmac(std::string(reinterpret_cast<char*>(stored), 32), auth_message);
    std::string proof = client_key;
    for (size_t i = 0; i < proof.size(); ++i) proof[i] = static_cast<char>(proof[i] ^ signature[i]);
    Send('p', without_proof + ",p=" + auth::Base64Encode(proof));
    auto final_msg = Read();
    if (!final_msg || final_msg->type != 'R' || GetInt32(final_msg->body, 0) != 12) return false;
    auto ok = Read();
    if (!ok || ok->type != 'R' || GetInt32(ok->body, 0) != 0) return false;
    for (const RawMessage& m : ReadUntilReady()) {
      if (m.type == 'K') {
        process_id_ = GetInt32(m.body, 0);
        secret_key_ = GetInt32(m.body, 4);
      }
      if (m.type == 'Z') return true;
    }
    return false;
  }

  // Extended-query messages.
  void Parse(const std::string& name, const std::string& sql, std::vector<int32_t> oids = {}) {
    std::string b = name + '\0' + sql + '\0';
    PutInt16(b, static_cast<int16_t>(oids.size()));
    for (int32_t o : oids) PutInt32(b, o);
    Send('P', b);
  }
  void Bind(const std::string& portal, const std::string& stmt,
            const std::vector<std::optional<std::string>>& params,
            std::vector<int16_t> result_formats = {}) {
    std::string b = portal + '\0' + stmt + '\0';
    PutInt16(b, 0);
    PutInt16(b, static_cast<int16_t>(params.size()));
    for (const auto& p : params) {
      if (!p) {
        PutInt32(b, -1);
      } else {
        PutInt32(b, static_cast<int32_t>(p->size()));
        b += *p;
      }
    }
    PutInt16(b, static_cast<int16_t>(result_formats.size()));
    for (int16_t f : result_formats) PutInt16(b, f);
    Send('B', b);
  }
  void Describe(char kind, const std::string& name) {
    Send('D', std::string(1, kind) + name + '\0');
  }
  void Execute(const std::string& portal, int32_t max_rows = 0) {
    std::string b = portal + '\0';
    PutInt32(b, max_rows);
    Send('E', b);
  }
  void Sync() { Send('S', ""); }
  void Query(const std::string& sql) { Send('Q', sql + '\0'); }

  int32_t process_id() const { return process_id_; }
  int32_t secret_key() const { return secret_key_; }

 private:
  static std::string Hmac(const std::string& key, const std::string& data) {
    unsigned char out[32];
    unsigned int len = 0;
    HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
         reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &len);
    return std::string(reinterpret_cast<char*>(out), len);
  }
  bool ReadExactly(size_t n, std::string* out, int timeout_ms) {
    out->clear();
    while (out->size() < n) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, timeout_ms) <= 0) return false;
      char buf[65536];
      const ssize_t got = ::recv(fd_, buf, std::min(sizeof(buf), n - out->size()), 0);
      if (got <= 0) return false;
      out->append(buf, static_cast<size_t>(got));
    }
    return true;
  }

  int fd_ = -1;
  bool connected_ = false;
  int32_t process_id_ = 0;
  int32_t secret_key_ = 0;
};

// The fields of an ErrorResponse or NoticeResponse by code ('C', 'M', 'S').
inline std::map<char, std::string> ErrorFields(const RawMessage& m) {
  std::map<char, std::string> out;
  size_t i = 0;
  while (i < m.body.size() && m.body[i] != '\0') {
    const char code = m.body[i];
    const size_t end = m.body.find('\0', i + 1);
    out[code] = m.body.substr(i + 1, end - i - 1);
    i = end + 1;
  }
  return out;
}

// DataRow fields as text (nullopt for NULL).
inline std::vector<std::optional<std::string>> DataRowFields(const RawMessage& m) {
  std::vector<std::optional<std::string>> out;
  const int n = (uint8_t(m.body[0]) << 8) | uint8_t(m.body[1]);
  size_t at = 2;
  for (int i = 0; i < n; ++i) {
    const int32_t len = GetInt32(m.body, at);
    at += 4;
    if (len < 0) {
      out.emplace_back();
    } else {
      out.emplace_back(m.body.substr(at, static_cast<size_t>(len)));
      at += static_cast<size_t>(len);
    }
  }
  return out;
}

// The message types of `messages`, e.g. "1t T2DsZ".
inline std::string Types(const std::vector<RawMessage>& messages) {
  std::string out;
  for (const RawMessage& m : messages) out.push_back(m.type);
  return out;
}

}  // namespace carelake::pgwire::testing

#endif  // CARELAKE_TESTS_PGWIRE_RAW_CLIENT_H_
