// Random (version 4) UUIDs for file names and table ids.
#ifndef CARELAKE_BASE_UUID_H_
#define CARELAKE_BASE_UUID_H_

#include <string>

namespace carelake {

// "0f8e2c1a-3b4d-4e5f-8a9b-0c1d2e3f4a5b". Thread-safe.
std::string NewUuid();

}  // namespace carelake

#endif  // CARELAKE_BASE_UUID_H_
