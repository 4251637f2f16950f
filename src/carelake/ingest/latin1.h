// Latin-1 (ISO-8859-1) text as UTF-8, as DuckDB's CSV reader converts it.
#ifndef CARELAKE_INGEST_LATIN1_H_
#define CARELAKE_INGEST_LATIN1_H_

#include <string>
#include <string_view>

namespace carelake::ingest {

// Every byte is a character: bytes below 0x80 are kept, the others become
// two bytes. Never fails.
std::string Latin1ToUtf8(std::string_view latin1);

}  // namespace carelake::ingest

#endif  // CARELAKE_INGEST_LATIN1_H_
