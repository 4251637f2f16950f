// COPY ... TO STDOUT (what psql's \copy and clients' bulk export send),
// parsed into the query whose rows are sent and how they are formatted.
//
//   COPY table [(col, ...)] TO STDOUT [[WITH] (option [, ...])]
//   COPY (query) TO STDOUT [[WITH] (option [, ...])]
//   options: FORMAT text|csv, HEADER [bool], DELIMITER 'c', NULL 's',
//            QUOTE 'c', ESCAPE 'c'; and the old spelling: WITH CSV HEADER,
//            DELIMITER [AS] 'c', NULL [AS] 's'
//
// COPY FROM and COPY to a file are not this: the session refuses them.
#ifndef CARELAKE_PGWIRE_COPY_COMMAND_H_
#define CARELAKE_PGWIRE_COPY_COMMAND_H_

#include <optional>
#include <string>
#include <string_view>

#include "carelake/base/result.h"

namespace carelake::pgwire {

struct CopyCommand {
  std::string query;  // a SELECT the rows come from
  bool csv = false;
  bool header = false;
  char delimiter = '\t';            // ',' for csv unless given
  std::string null_string = "\\N";  // "" for csv unless given
  char quote = '"';
  char escape = '"';
};

// nullopt when `statement` is not a COPY. InvalidArgument for a COPY that
// is malformed; NotSupported (with PostgreSQL's reason) for COPY FROM,
// COPY to or from a file or program, and binary format.
Result<std::optional<CopyCommand>> ParseCopyCommand(std::string_view statement);

// Appends one field of a COPY row; `text` is the value's PostgreSQL text.
void AppendCopyField(const CopyCommand& copy, std::string_view text, std::string& out);

}  // namespace carelake::pgwire

#endif  // CARELAKE_PGWIRE_COPY_COMMAND_H_
