// The PostgreSQL protocol's byte level (protocol 3.0, "Message Formats" in
// PostgreSQL's documentation): reading the fields of a frontend message
// with bounds checks, and building backend messages.
//
// A frontend message is a type byte, an Int32 length that counts itself,
// and a body; the startup packet has no type byte. Integers are big-endian.
// Every read is checked against the body's end, so a truncated or lying
// message becomes an error naming what was expected and where, never a read
// past the buffer.
#ifndef CARELAKE_PGWIRE_WIRE_H_
#define CARELAKE_PGWIRE_WIRE_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "carelake/base/result.h"

namespace carelake::pgwire {

// Reads the fields of one message body, front to back.
class FieldReader {
 public:
  // `what` names the message in errors ("Bind", "startup packet").
  FieldReader(std::string_view body, std::string_view what) : body_(body), what_(what) {}

  Result<uint8_t> Byte();
  Result<int16_t> Int16();
  Result<int32_t> Int32();
  // A NUL-terminated string (without the NUL).
  Result<std::string_view> CString();
  Result<std::string_view> Bytes(size_t n);
  // What is left of the body.
  std::string_view Rest();

  size_t remaining() const { return body_.size() - pos_; }
  bool done() const { return pos_ == body_.size(); }
  // InvalidArgument unless the whole body was read.
  Status ExpectEnd() const;

 private:
  Status Truncated(std::string_view field) const;
  std::string_view body_;
  std::string_view what_;
  size_t pos_ = 0;
};

// Builds backend messages into one output buffer: Begin(type), the fields,
// End() (which writes the length). Several messages may be built before the
// buffer is sent.
class MessageWriter {
 public:
  MessageWriter& Begin(char type);
  MessageWriter& Byte(uint8_t v);
  MessageWriter& Int16(int16_t v);
  MessageWriter& Int32(int32_t v);
  MessageWriter& CString(std::string_view s);
  MessageWriter& Bytes(std::string_view s);
  // Closes the message begun last.
  MessageWriter& End();

  // The buffer itself, for encoders that append fields in place (between
  // Begin and End).
  std::string& buffer() { return out_; }
  const std::string& data() const { return out_; }
  size_t size() const { return out_.size(); }
  bool empty() const { return out_.empty(); }
  void Clear() { out_.clear(); }

 private:
  std::string out_;
  size_t start_ = 0;  // where the message begun last starts
};

void AppendInt16(std::string& out, int16_t v);
void AppendInt32(std::string& out, int32_t v);
void AppendInt64(std::string& out, int64_t v);
int32_t ReadInt32(const char* p);

}  // namespace carelake::pgwire

#endif  // CARELAKE_PGWIRE_WIRE_H_
