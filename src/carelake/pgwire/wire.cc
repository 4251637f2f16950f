#include "carelake/pgwire/wire.h"

#include <cstring>

namespace carelake::pgwire {

void AppendInt16(std::string& out, int16_t v) {
  const auto u = static_cast<uint16_t>(v);
  out.push_back(static_cast<char>(u >> 8));
  out.push_back(static_cast<char>(u));
}

void AppendInt32(std::string& out, int32_t v) {
  const auto u = static_cast<uint32_t>(v);
  const char bytes[4] = {static_cast<char>(u >> 24), static_cast<char>(u >> 16),
                         static_cast<char>(u >> 8), static_cast<char>(u)};
  out.append(bytes, 4);
}

void AppendInt64(std::string& out, int64_t v) {
  AppendInt32(out, static_cast<int32_t>(static_cast<uint64_t>(v) >> 32));
  AppendInt32(out, static_cast<int32_t>(static_cast<uint64_t>(v)));
}

int32_t ReadInt32(const char* p) {
  const auto* b = reinterpret_cast<const unsigned char*>(p);
  return static_cast<int32_t>((uint32_t{b[0]} << 24) | (uint32_t{b[1]} << 16) |
                              (uint32_t{b[2]} << 8) | uint32_t{b[3]});
}

Status FieldReader::Truncated(std::string_view field) const {
  return InvalidArgument("invalid " + std::string(what_) + " message: " + std::string(field) +
                         " expected at byte " + std::to_string(pos_) + " of " +
                         std::to_string(body_.size()));
}

Result<uint8_t> FieldReader::Byte() {
  if (remaining() < 1) return Truncated("Byte1");
  return static_cast<uint8_t>(body_[pos_++]);
}

Result<int16_t> FieldReader::Int16() {
  if (remaining() < 2) return Truncated("Int16");
  const auto* b = reinterpret_cast<const unsigned char*>(body_.data() + pos_);
  pos_ += 2;
  return static_cast<int16_t>((uint16_t{b[0]} << 8) | uint16_t{b[1]});
}

Result<int32_t> FieldReader::Int32() {
  if (remaining() < 4) return Truncated("Int32");
  const int32_t v = ReadInt32(body_.data() + pos_);
  pos_ += 4;
  return v;
}

Result<std::string_view> FieldReader::CString() {
  const size_t end = body_.find('\0', pos_);
  if (end == std::string_view::npos) return Truncated("NUL-terminated string");
  std::string_view s = body_.substr(pos_, end - pos_);
  pos_ = end + 1;
  return s;
}

Result<std::string_view> FieldReader::Bytes(size_t n) {
  if (remaining() < n) return Truncated(std::to_string(n) + " bytes");
  std::string_view s = body_.substr(pos_, n);
  pos_ += n;
  return s;
}

std::string_view FieldReader::Rest() {
  std::string_view s = body_.substr(pos_);
  pos_ = body_.size();
  return s;
}

Status FieldReader::ExpectEnd() const {
  if (done()) return Status::Ok();
  return InvalidArgument("invalid " + std::string(what_) + " message: " +
                         std::to_string(remaining()) + " unexpected byte(s) at the end");
}

MessageWriter& MessageWriter::Begin(char type) {
  start_ = out_.size();
  out_.push_back(type);
  AppendInt32(out_, 0);  // the length, written by End()
  return *this;
}

MessageWriter& MessageWriter::Byte(uint8_t v) {
  out_.push_back(static_cast<char>(v));
  return *this;
}

MessageWriter& MessageWriter::Int16(int16_t v) {
  AppendInt16(out_, v);
  return *this;
}

MessageWriter& MessageWriter::Int32(int32_t v) {
  AppendInt32(out_, v);
  return *this;
}

MessageWriter& MessageWriter::CString(std::string_view s) {
  out_.append(s);
  out_.push_back('\0');
  return *this;
}

MessageWriter& MessageWriter::Bytes(std::string_view s) {
  out_.append(s);
  return *this;
}

MessageWriter& MessageWriter::End() {
  const auto length = static_cast<uint32_t>(out_.size() - start_ - 1);
  const unsigned char bytes[4] = {
      static_cast<unsigned char>(length >> 24), static_cast<unsigned char>(length >> 16),
      static_cast<unsigned char>(length >> 8), static_cast<unsigned char>(length)};
  std::memcpy(out_.data() + start_ + 1, bytes, 4);
  return *this;
}

}  // namespace carelake::pgwire
