// Definitions: a fingerprint of everything in a table's declaration that
// decides its rows, kept in the table's Delta metadata (table property
// `carelake.definition`) by every commit that builds it.
//
// A run compares the declaration's fingerprint with the one the table was
// built under. SQL (a model's statement, rule checks, column expressions) is
// fingerprinted as parsed (sql/statement.h), so whitespace, comments and
// identifier quoting are not a change; settings that only describe or place
// the rows (descriptions, PII tags, warn and fail rules, expectations of
// models, partitioning) are left out.
#ifndef CARELAKE_MODEL_DEFINITION_H_
#define CARELAKE_MODEL_DEFINITION_H_

#include <cstdint>
#include <string>

#include "carelake/base/file_system.h"
#include "carelake/base/result.h"
#include "carelake/engine/connection.h"
#include "carelake/project/project.h"

namespace carelake::model {

inline constexpr char kDefinitionProperty[] = "carelake.definition";

// Hex fingerprints (MD5) of a model's and a silver table's definitions.
Result<std::string> ModelDefinition(const project::Model& model, engine::Connection& conn);
Result<std::string> SilverDefinition(const project::SilverTable& table, engine::Connection& conn);

// The declaration against the table at `path`.
struct DefinitionCheck {
  std::string fingerprint;  // of the declaration now
  std::string stored;       // the table's; empty: new table, or built before fingerprints
  int64_t version = -1;     // the table's latest version; -1 when it does not exist
  bool Exists() const { return version >= 0; }
  bool Changed() const { return !stored.empty() && stored != fingerprint; }
};
Result<DefinitionCheck> CheckDefinition(const std::string& path, std::string fingerprint,
                                        FileSystem& fs, engine::Connection& conn);

// The decision for an incremental table (`qualified`, e.g. "gold.x") whose
// definition changed: a full rebuild (returns its reason) under kRebuild,
// else FailedPrecondition "definition of gold.x changed since version N; run
// with --full-refresh --select gold.x".
Result<std::string> OnChangedDefinition(const DefinitionCheck& check, const std::string& qualified,
                                        project::OnDefinitionChange policy);

}  // namespace carelake::model

#endif  // CARELAKE_MODEL_DEFINITION_H_
