#include "carelake/ingest/source_file.h"

#include <zlib.h>

#include <cstdio>

namespace carelake::ingest {

Status ReadChunks(const std::string& path, const std::function<bool(std::string_view)>& chunk) {
  // A plain file is read as is: zlib would copy every byte once more.
  if (FILE* plain = std::fopen(path.c_str(), "rb"); plain != nullptr) {
    std::string buf(1 << 20, '\0');
    size_t n = std::fread(buf.data(), 1, buf.size(), plain);
    const bool gzip = n >= 2 && static_cast<unsigned char>(buf[0]) == 0x1f &&
                      static_cast<unsigned char>(buf[1]) == 0x8b;
    if (!gzip) {
      Status status;
      while (n > 0 && chunk(std::string_view(buf.data(), n))) {
        n = std::fread(buf.data(), 1, buf.size(), plain);
      }
      if (std::ferror(plain)) status = IoError("cannot read '" + path + "'");
      std::fclose(plain);
      return status;
    }
    std::fclose(plain);
  }
  gzFile f = gzopen(path.c_str(), "rb");
  if (f == nullptr) return IoError("cannot open '" + path + "'");
  gzbuffer(f, 1 << 17);
  std::string buf(1 << 20, '\0');
  int64_t total = 0;
  Status status;
  while (true) {
    const int n = gzread(f, buf.data(), static_cast<unsigned>(buf.size()));
    int errnum = Z_OK;
    const char* msg = gzerror(f, &errnum);
    if (errnum == Z_ERRNO) {
      status = IoError("cannot read '" + path + "': " + msg);
      break;
    }
    if (n < 0 || (n == 0 && errnum != Z_OK)) {
      status = Corruption(
          "cannot decompress '" + path + "': " +
          (errnum == Z_BUF_ERROR ? "the gzip stream ends early (truncated)" : std::string(msg)) +
          " after " + std::to_string(total) + " bytes");
      break;
    }
    if (n == 0 || !chunk(std::string_view(buf.data(), static_cast<size_t>(n)))) break;
    total += n;
  }
  gzclose(f);
  return status;
}

Result<std::string> ReadAll(const std::string& path) {
  std::string out;
  CARELAKE_RETURN_IF_ERROR(ReadChunks(path, [&](std::string_view chunk) {
    out.append(chunk);
    return true;
  }));
  return out;
}

Status CheckReadable(const std::string& path, bool gzip) {
  gzFile f = gzopen(path.c_str(), "rb");
  if (f == nullptr) return IoError("cannot open '" + path + "'");
  const bool plain = gzdirect(f) == 1;  // looks at the first bytes
  gzclose(f);
  if (plain || !gzip) return Status();
  return ReadChunks(path, [](std::string_view) { return true; });
}

std::string CompressionOption(const project::Source& source) {
  switch (source.compression) {
    case project::Compression::kGzip:
      return "'gzip'";
    case project::Compression::kNone:
      return "'none'";
    case project::Compression::kAuto:
      break;
  }
  return source.format == project::SourceFormat::kCsv ? "'auto'" : "'auto_detect'";
}

}  // namespace carelake::ingest
