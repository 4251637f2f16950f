#include "carelake/auth/scram.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <vector>

namespace carelake::auth {
namespace {

std::string Sha256(std::string_view data) {
  unsigned char out[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), out);
  return std::string(reinterpret_cast<char*>(out), sizeof out);
}

std::string SaltedPassword(std::string_view password, std::string_view salt, int iterations) {
  unsigned char out[SHA256_DIGEST_LENGTH];
  PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()),
                    reinterpret_cast<const unsigned char*>(salt.data()),
                    static_cast<int>(salt.size()), iterations, EVP_sha256(), sizeof out, out);
  return std::string(reinterpret_cast<char*>(out), sizeof out);
}

}  // namespace

std::string HmacSha256(std::string_view key, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &len);
  return std::string(reinterpret_cast<char*>(out), len);
}

std::string Base64Encode(std::string_view bytes) {
  std::vector<unsigned char> out(4 * ((bytes.size() + 2) / 3) + 1);
  const int n = EVP_EncodeBlock(out.data(), reinterpret_cast<const unsigned char*>(bytes.data()),
                                static_cast<int>(bytes.size()));
  return std::string(reinterpret_cast<char*>(out.data()), static_cast<size_t>(n));
}

Result<std::string> Base64Decode(std::string_view text) {
  if (text.size() % 4 != 0) return InvalidArgument("base64: length not a multiple of 4");
  for (char c : text) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '+' || c == '/' || c == '=';
    if (!ok) return InvalidArgument("base64: a character outside the alphabet");
  }
  std::vector<unsigned char> out(3 * text.size() / 4 + 1);
  const int n = EVP_DecodeBlock(out.data(), reinterpret_cast<const unsigned char*>(text.data()),
                                static_cast<int>(text.size()));
  if (n < 0) return InvalidArgument("base64: not decodable");
  size_t size = static_cast<size_t>(n);
  for (size_t i = text.size(); i > 0 && text[i - 1] == '=' && size > 0; --i) --size;
  return std::string(reinterpret_cast<char*>(out.data()), size);
}

ScramVerifier VerifierWithSalt(std::string_view password, std::string_view salt, int iterations) {
  const std::string salted = SaltedPassword(password, salt, iterations);
  ScramVerifier v;
  v.iterations = iterations;
  v.salt = std::string(salt);
  v.stored_key = Sha256(HmacSha256(salted, "Client Key"));
  v.server_key = HmacSha256(salted, "Server Key");
  return v;
}

Result<ScramVerifier> MakeVerifier(std::string_view password, int iterations) {
  if (iterations < kScramIterations) {
    return InvalidArgument("SCRAM iterations: at least " + std::to_string(kScramIterations));
  }
  unsigned char salt[16];
  if (RAND_bytes(salt, sizeof salt) != 1) return Internal("no random bytes for a salt");
  return VerifierWithSalt(password, std::string_view(reinterpret_cast<char*>(salt), sizeof salt),
                          iterations);
}

std::string ScramVerifier::ToString() const {
  return "SCRAM-SHA-256$" + std::to_string(iterations) + ":" + Base64Encode(salt) + "$" +
         Base64Encode(stored_key) + ":" + Base64Encode(server_key);
}

Result<ScramVerifier> ScramVerifier::Parse(std::string_view text) {
  constexpr std::string_view kPrefix = "SCRAM-SHA-256$";
  if (text.substr(0, kPrefix.size()) != kPrefix) {
    return InvalidArgument("a SCRAM-SHA-256 verifier starts with 'SCRAM-SHA-256$'");
  }
  text.remove_prefix(kPrefix.size());
  const size_t colon1 = text.find(':'), dollar = text.find('$'), colon2 = text.rfind(':');
  if (colon1 == std::string_view::npos || dollar == std::string_view::npos || colon2 <= dollar ||
      colon1 > dollar) {
    return InvalidArgument("a SCRAM-SHA-256 verifier is <iterations>:<salt>$<stored>:<server>");
  }
  ScramVerifier v;
  try {
    size_t used = 0;
    v.iterations = std::stoi(std::string(text.substr(0, colon1)), &used);
    if (used != colon1 || v.iterations < 1) throw std::invalid_argument("");
  } catch (const std::exception&) {
    return InvalidArgument("a SCRAM-SHA-256 verifier's iteration count is a positive integer");
  }
  CARELAKE_ASSIGN_OR_RETURN(v.salt, Base64Decode(text.substr(colon1 + 1, dollar - colon1 - 1)));
  CARELAKE_ASSIGN_OR_RETURN(v.stored_key,
                            Base64Decode(text.substr(dollar + 1, colon2 - dollar - 1)));
  CARELAKE_ASSIGN_OR_RETURN(v.server_key, Base64Decode(text.substr(colon2 + 1)));
  if (v.stored_key.size() != SHA256_DIGEST_LENGTH || v.server_key.size() != SHA256_DIGEST_LENGTH) {
    return InvalidArgument("a SCRAM-SHA-256 verifier's keys are 32 bytes");
  }
  return v;
}

bool VerifyClientProof(const ScramVerifier& verifier, std::string_view auth_message,
                       std::string_view client_proof) {
  if (client_proof.size() != SHA256_DIGEST_LENGTH) return false;
  const std::string signature = HmacSha256(verifier.stored_key, auth_message);
  std::string client_key(SHA256_DIGEST_LENGTH, '\0');
  for (size_t i = 0; i < client_key.size(); ++i) client_key[i] = client_proof[i] ^ signature[i];
  const std::string stored = Sha256(client_key);
  return CRYPTO_memcmp(stored.data(), verifier.stored_key.data(), stored.size()) == 0;
}

std::string ServerSignature(const ScramVerifier& verifier, std::string_view auth_message) {
  return HmacSha256(verifier.server_key, auth_message);
}

}  // namespace carelake::auth
