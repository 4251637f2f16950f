#include "carelake/ingest/temp_tables.h"

namespace carelake::ingest {

TempTables::~TempTables() {
  for (const std::string& t : kept_) (void)conn_.Execute("DROP TABLE IF EXISTS " + t);
}

std::string TempTables::NewName(std::string_view what) {
  return "_ingest_" + std::string(what) + "_" + std::to_string(++counter_);
}

}  // namespace carelake::ingest
