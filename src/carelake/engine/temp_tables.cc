#include "carelake/engine/temp_tables.h"

#include <atomic>
#include <cstdint>

namespace carelake::engine {

TempTables::~TempTables() {
  for (const std::string& t : kept_) (void)conn_.Execute("DROP TABLE IF EXISTS " + t);
}

std::string TempTables::NewName(std::string_view what) {
  static std::atomic<uint64_t> serial{0};
  return "_cl_" + std::string(what) + "_" + std::to_string(++serial);
}

Result<std::string> TempTables::Create(std::string_view what, std::string_view select_sql) {
  std::string name = NewName(what);
  CARELAKE_RETURN_IF_ERROR(
      conn_.Execute("CREATE TEMP TABLE " + name + " AS " + std::string(select_sql)));
  Keep(name);
  return name;
}

}  // namespace carelake::engine
