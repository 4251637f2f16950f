#include "carelake/auth/user_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace carelake::auth {
namespace {

namespace fs = std::filesystem;

bool IsName(const std::string& s) {
  if (s.empty() || s.size() > 63) return false;
  if (!((s[0] >= 'a' && s[0] <= 'z') || s[0] == '_')) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

Status CheckName(const std::string& what, const std::string& name) {
  if (IsName(name)) return Status::Ok();
  return InvalidArgument(what + " '" + name +
                         "': expected [a-z_][a-z0-9_]*, at most 63 characters");
}

Status CheckPassword(std::string_view password) {
  if (password.size() < kMinPasswordLength) {
    return InvalidArgument("a password has at least " + std::to_string(kMinPasswordLength) +
                           " characters");
  }
  return Status::Ok();
}

}  // namespace

std::string UserStore::PathFor(const std::string& lake) {
  return (fs::path(lake) / "_system" / "users.json").string();
}

Result<UserStore> UserStore::Load(const std::string& path) {
  UserStore store;
  store.path_ = path;
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return store;
    return IoError(path + ": " + std::strerror(errno));
  }
  if ((st.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", st.st_mode & 0777);
    return FailedPrecondition(path + " may be read by others (mode " + mode +
                              "): it holds password verifiers; chmod 600 it");
  }
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  const nlohmann::json doc = nlohmann::json::parse(text.str(), nullptr, false);
  if (!doc.is_object() || !doc.contains("users") || !doc["users"].is_array()) {
    return InvalidArgument(path + ": expected {\"users\": [...]}");
  }
  for (size_t i = 0; i < doc["users"].size(); ++i) {
    const nlohmann::json& u = doc["users"][i];
    const std::string where = path + ": users[" + std::to_string(i) + "]";
    if (!u.is_object() || !u.value("name", nlohmann::json()).is_string() ||
        !u.value("verifier", nlohmann::json()).is_string()) {
      return InvalidArgument(where + ": expected name and verifier");
    }
    User user;
    user.name = u["name"];
    user.role = u.value("role", std::string(kDefaultRole));
    auto verifier = ScramVerifier::Parse(u["verifier"].get<std::string>());
    if (!verifier.ok()) return verifier.status().WithContext(where);
    user.verifier = std::move(*verifier);
    user.created_ms = u.value("created_ms", int64_t{0});
    user.password_changed_ms = u.value("password_changed_ms", int64_t{0});
    store.users_.push_back(std::move(user));
  }
  return store;
}

const User* UserStore::Find(std::string_view name) const {
  for (const User& u : users_) {
    if (u.name == name) return &u;
  }
  return nullptr;
}

Status UserStore::Add(const std::string& name, const std::string& role, std::string_view password,
                      int64_t now_ms) {
  CARELAKE_RETURN_IF_ERROR(CheckName("user", name));
  CARELAKE_RETURN_IF_ERROR(CheckName("role", role));
  if (Find(name) != nullptr) return AlreadyExists("user '" + name + "' exists");
  CARELAKE_RETURN_IF_ERROR(CheckPassword(password));
  CARELAKE_ASSIGN_OR_RETURN(ScramVerifier verifier, MakeVerifier(password));
  users_.push_back(User{name, role, std::move(verifier), now_ms, now_ms});
  return Status::Ok();
}

Status UserStore::SetPassword(const std::string& name, std::string_view password, int64_t now_ms) {
  auto it =
      std::find_if(users_.begin(), users_.end(), [&](const User& u) { return u.name == name; });
  if (it == users_.end()) return NotFound("no user '" + name + "'");
  CARELAKE_RETURN_IF_ERROR(CheckPassword(password));
  CARELAKE_ASSIGN_OR_RETURN(it->verifier, MakeVerifier(password));
  it->password_changed_ms = now_ms;
  return Status::Ok();
}

Status UserStore::Remove(const std::string& name) {
  auto it =
      std::find_if(users_.begin(), users_.end(), [&](const User& u) { return u.name == name; });
  if (it == users_.end()) return NotFound("no user '" + name + "'");
  users_.erase(it);
  return Status::Ok();
}

Status UserStore::Save() const {
  nlohmann::ordered_json doc;
  doc["users"] = nlohmann::ordered_json::array();
  for (const User& u : users_) {
    doc["users"].push_back({{"name", u.name},
                            {"role", u.role},
                            {"verifier", u.verifier.ToString()},
                            {"created_ms", u.created_ms},
                            {"password_changed_ms", u.password_changed_ms}});
  }
  const std::string text = doc.dump(2) + "\n";
  std::error_code ec;
  fs::create_directories(fs::path(path_).parent_path(), ec);
  const std::string temp = path_ + ".tmp." + std::to_string(::getpid());
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return IoError(temp + ": " + std::strerror(errno));
  size_t written = 0;
  while (written < text.size()) {
    const ssize_t n = ::write(fd, text.data() + written, text.size() - written);
    if (n < 0) {
      const std::string error = std::strerror(errno);
      ::close(fd);
      ::unlink(temp.c_str());
      return IoError(temp + ": " + error);
    }
    written += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    ::unlink(temp.c_str());
    return IoError(temp + ": cannot write");
  }
  if (::rename(temp.c_str(), path_.c_str()) != 0) {
    const std::string error = std::strerror(errno);
    ::unlink(temp.c_str());
    return IoError(path_ + ": " + error);
  }
  return Status::Ok();
}

}  // namespace carelake::auth
