// `carelake user add|passwd|remove|list`: the users who may log in to the
// project's SQL server (`carelake serve --pg`), stored as SCRAM-SHA-256
// verifiers in <lake>/_system/users.json (auth/user_store.h). A password
// comes from the CARELAKE_PASSWORD environment variable, else it is asked
// twice on the terminal without echo; it is never an argument (it would show
// in `ps` and shell history).
#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

#include <cstdlib>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <stop_token>
#include <string>

#include "carelake/auth/user_store.h"
#include "carelake/base/clock.h"
#include "carelake/base/process_lock.h"
#include "carelake/cli/commands.h"
#include "carelake/ledger/json.h"
#include "carelake/project/project.h"

namespace carelake::cli {
namespace {

struct UserArgs {
  std::string project;
  std::string lake;
  std::string name;
  std::string role = auth::kDefaultRole;
  bool json = false;
};

// A line read from the terminal with echo off; nullopt without a terminal.
std::optional<std::string> ReadHidden(const std::string& prompt) {
  const int tty = ::open("/dev/tty", O_RDWR | O_CLOEXEC);
  if (tty < 0) return std::nullopt;
  (void)!::write(tty, prompt.data(), prompt.size());
  termios old{};
  const bool is_tty = ::tcgetattr(tty, &old) == 0;
  if (is_tty) {
    termios quiet = old;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    ::tcsetattr(tty, TCSAFLUSH, &quiet);
  }
  std::string line;
  char c;
  while (::read(tty, &c, 1) == 1 && c != '\n') line += c;
  if (is_tty) ::tcsetattr(tty, TCSAFLUSH, &old);
  (void)!::write(tty, "\n", 1);
  ::close(tty);
  return line;
}

// The new password: CARELAKE_PASSWORD, else asked twice.
Result<std::string> NewPassword(const std::string& user) {
  if (const char* env = std::getenv("CARELAKE_PASSWORD")) return std::string(env);
  auto first = ReadHidden("Password for " + user + ": ");
  if (!first) {
    return InvalidArgument(
        "no password: set CARELAKE_PASSWORD, or run on a terminal to be asked for one");
  }
  auto second = ReadHidden("Again: ");
  if (!second || *second != *first) return InvalidArgument("the passwords differ");
  return *first;
}

int Fail(Io& io, const Status& s) {
  io.err << "Error: " << s.message() << "\n";
  return s.code() == StatusCode::kInvalidArgument ? kExitUsage : kExitFailed;
}

// Loads the store under its lock, applies `change` (null: read only) and
// saves it.
int WithStore(const UserArgs& args, Io& io, const std::function<Status(auth::UserStore&)>& change) {
  auto project = project::LoadProject(args.project, args.lake);
  if (!project.ok()) return Fail(io, project.status());
  const std::string path = auth::UserStore::PathFor(project->lake);
  std::optional<ProcessLock> lock;
  if (change) {
    auto acquired = ProcessLock::Acquire(project->lake + "/_system/users.lock", "carelake user",
                                         std::stop_token{}, std::chrono::seconds(30));
    if (!acquired.ok()) return Fail(io, acquired.status());
    lock.emplace(std::move(*acquired));
  }
  auto store = auth::UserStore::Load(path);
  if (!store.ok()) return Fail(io, store.status());
  if (!change) {
    if (args.json) {
      nlohmann::ordered_json out = nlohmann::ordered_json::array();
      for (const auth::User& u : store->users()) {
        out.push_back({{"name", u.name},
                       {"role", u.role},
                       {"created_at", ledger::FormatUtc(u.created_ms)},
                       {"password_changed_at", ledger::FormatUtc(u.password_changed_ms)}});
      }
      io.out << out.dump(2) << "\n";
    } else {
      for (const auth::User& u : store->users()) {
        io.out << u.name << "  role " << u.role << "  password set "
               << ledger::FormatUtc(u.password_changed_ms) << "\n";
      }
      if (store->users().empty()) io.err << "no users (carelake user add NAME)\n";
    }
    return kExitOk;
  }
  if (Status s = change(*store); !s.ok()) return Fail(io, s);
  if (Status s = store->Save(); !s.ok()) return Fail(io, s);
  return kExitOk;
}

}  // namespace

void RegisterUserCommand(CLI::App& app, Io& io, int& exit_code) {
  auto args = std::make_shared<UserArgs>();
  CLI::App* cmd = app.add_subcommand(
      "user",
      "The users of the project's SQL server (carelake serve --pg), stored as salted\n"
      "SCRAM-SHA-256 verifiers in <lake>/_system/users.json (mode 0600). Passwords come\n"
      "from CARELAKE_PASSWORD, or are asked on the terminal.");
  cmd->require_subcommand(1);
  auto common = [&args](CLI::App* sub) {
    sub->add_option("--project", args->project, "the project folder")->required();
    sub->add_option("--lake", args->lake, "the lake folder (default: the project's)");
  };
  CLI::App* add = cmd->add_subcommand("add", "Add user NAME with a password.");
  add->add_option("name", args->name, "the user name ([a-z_][a-z0-9_]*)")->required();
  add->add_option("--role", args->role, "the user's role (used once roles and grants exist)")
      ->capture_default_str();
  common(add);
  add->callback([args, &io, &exit_code] {
    exit_code = WithStore(*args, io, [&](auth::UserStore& store) -> Status {
      if (store.Find(args->name) != nullptr) {
        return AlreadyExists("user '" + args->name +
                             "' exists (carelake user passwd changes "
                             "the password)");
      }
      CARELAKE_ASSIGN_OR_RETURN(std::string password, NewPassword(args->name));
      CARELAKE_RETURN_IF_ERROR(
          store.Add(args->name, args->role, password, DefaultClock().WallMillis()));
      io.err << "added user " << args->name << " (role " << args->role << ")\n";
      return Status::Ok();
    });
  });
  CLI::App* passwd = cmd->add_subcommand("passwd", "Set the password of user NAME.");
  passwd->add_option("name", args->name, "the user name")->required();
  common(passwd);
  passwd->callback([args, &io, &exit_code] {
    exit_code = WithStore(*args, io, [&](auth::UserStore& store) -> Status {
      if (store.Find(args->name) == nullptr) return NotFound("no user '" + args->name + "'");
      CARELAKE_ASSIGN_OR_RETURN(std::string password, NewPassword(args->name));
      CARELAKE_RETURN_IF_ERROR(
          store.SetPassword(args->name, password, DefaultClock().WallMillis()));
      io.err << "changed the password of " << args->name << "\n";
      return Status::Ok();
    });
  });
  CLI::App* remove = cmd->add_subcommand("remove", "Remove user NAME.");
  remove->add_option("name", args->name, "the user name")->required();
  common(remove);
  remove->callback([args, &io, &exit_code] {
    exit_code = WithStore(*args, io, [&](auth::UserStore& store) -> Status {
      CARELAKE_RETURN_IF_ERROR(store.Remove(args->name));
      io.err << "removed user " << args->name << "\n";
      return Status::Ok();
    });
  });
  CLI::App* list = cmd->add_subcommand("list", "List the users and their roles.");
  list->add_flag("--json", args->json, "as JSON");
  common(list);
  list->callback([args, &io, &exit_code] { exit_code = WithStore(*args, io, nullptr); });
}

}  // namespace carelake::cli
