// UserStore: the users who may log in to the project's SQL server
// (`carelake serve --pg`), kept in <lake>/_system/users.json as SCRAM-SHA-256
// verifiers (scram.h) — never a password. The file is created with mode
// 0600 and replaced atomically; a file others can read is refused.
// `carelake user add|passwd|remove|list` edit it; changes are serialised by
// <lake>/_system/users.lock.
//
// Roles are recorded for the [access] layer; until it exists every user may
// read every table of the project.
#ifndef CARELAKE_AUTH_USER_STORE_H_
#define CARELAKE_AUTH_USER_STORE_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "carelake/auth/scram.h"
#include "carelake/base/result.h"

namespace carelake::auth {

inline constexpr char kDefaultRole[] = "reader";
inline constexpr size_t kMinPasswordLength = 8;

struct User {
  std::string name;
  std::string role;
  ScramVerifier verifier;
  int64_t created_ms = 0;
  int64_t password_changed_ms = 0;
};

class UserStore {
 public:
  // <lake>/_system/users.json
  static std::string PathFor(const std::string& lake);
  // The store at `path`; empty when the file does not exist.
  // FailedPrecondition for a file group or others may read; InvalidArgument
  // naming the entry for one that is not a store.
  static Result<UserStore> Load(const std::string& path);

  const std::vector<User>& users() const { return users_; }
  const User* Find(std::string_view name) const;

  // AlreadyExists / NotFound for the name; InvalidArgument for a name that is
  // not [a-z_][a-z0-9_]* (at most 63 characters), a role that is not one, or
  // a password shorter than kMinPasswordLength.
  Status Add(const std::string& name, const std::string& role, std::string_view password,
             int64_t now_ms);
  Status SetPassword(const std::string& name, std::string_view password, int64_t now_ms);
  Status Remove(const std::string& name);

  // Writes the file (mode 0600, atomically), creating its folder.
  Status Save() const;

 private:
  std::string path_;
  std::vector<User> users_;
};

}  // namespace carelake::auth

#endif  // CARELAKE_AUTH_USER_STORE_H_
