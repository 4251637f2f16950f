// The Lumia chatbot's output (seed 000): JSON array documents of chatbot
// interactions, shaped exactly like the seed's Python generator writes them
// (field names, every value a string, ratings only when Feedback is "1",
// hours 00 to 24 so that "T24:" occurs, days 01 to 28). Synthetic: no real
// patient data.
#ifndef CARELAKE_GENERATE_LUMIA_H_
#define CARELAKE_GENERATE_LUMIA_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "carelake/base/result.h"

namespace carelake::generate {

struct LumiaOptions {
  std::string out_dir;
  int64_t records = 1000;
  uint64_t seed = 42;
  int files = 1;
  // The id of the first record; ids count up from it. Batches generated
  // with different first ids hold different interactions.
  int64_t first_id = 1;
  // Fraction (0..1) of records made dirty: a missing field, or a value that
  // is not what the field holds ("PatientAge": "forty"). With dirt, one more
  // document is written truncated (not valid JSON).
  double dirt = 0.0;
};

struct LumiaSummary {
  std::vector<std::string> files;  // paths written
  int64_t records = 0;             // in the valid documents
  int64_t dirty_records = 0;
  int64_t truncated_records = 0;  // in the truncated document, if any
  uint64_t bytes = 0;
};

// Writes the documents; the same options always give the same bytes. Record
// i's content depends only on (seed, i), not on `files`. `progress`, if set,
// is called with the records written so far. Files are written aside and
// renamed, so a reader never sees half a document (except the deliberately
// truncated one).
Result<LumiaSummary> GenerateLumia(const LumiaOptions& options,
                                   const std::function<void(int64_t)>& progress = {});

}  // namespace carelake::generate

#endif  // CARELAKE_GENERATE_LUMIA_H_
