// Dimensions: slowly changing dimensions kept from change rows (type 1 and
// type 2), and generated date and time-of-day dimensions.
//
// A type 1 or 2 dimension `gold.<name>` has a companion table
// `gold.<name>__changes` holding every change it has accepted: one row per
// (key, sequence) with `_sequence`, `_deleted` and the change row's columns.
// A run merges the new change rows into it, then rebuilds, from all the
// changes of the keys it touched, those keys' rows of the dimension — so a
// late or out-of-order change gives the history it would have given in
// order. The dimension's commit replaces exactly those keys' rows, carries
// the upstream versions read (exactly-once), and is made only after its
// invariants were checked on the rows about to be written:
//   - at most one current row per key, and exactly one per live key;
//   - a key's validity intervals are non-empty, never overlap, and leave no
//     gap except where a delete closed the key;
//   - surrogate keys are unique across the dimension.
// The semantics are written down in doc/dimensions.md.
#ifndef CARELAKE_MODEL_DIMENSION_H_
#define CARELAKE_MODEL_DIMENSION_H_

#include "carelake/base/file_system.h"
#include "carelake/base/result.h"
#include "carelake/engine/connection.h"
#include "carelake/model/types.h"

namespace carelake::model {

// Runs a model with materialized scd1, scd2, date_dimension or
// time_dimension. An invariant violation is an error; nothing is committed.
Result<ModelResult> RunDimension(const ModelRequest& request, FileSystem& fs,
                                 engine::Connection& conn);

}  // namespace carelake::model

#endif  // CARELAKE_MODEL_DIMENSION_H_
