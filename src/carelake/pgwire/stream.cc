#include "carelake/pgwire/stream.h"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "carelake/pgwire/wire.h"

namespace carelake::pgwire {

Result<size_t> SocketStream::Read(char* buf, size_t n) {
  for (;;) {
    const ssize_t got = ::recv(fd_, buf, n, 0);
    if (got >= 0) return static_cast<size_t>(got);
    if (errno == EINTR) continue;
    return Unavailable(std::string("cannot read from the client: ") + std::strerror(errno));
  }
}

Status SocketStream::Write(std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t sent = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (sent < 0) {
      if (errno == EINTR) continue;
      return Unavailable(std::string("cannot write to the client: ") + std::strerror(errno));
    }
    bytes.remove_prefix(static_cast<size_t>(sent));
  }
  return Status::Ok();
}

Status MessageReader::Fill(size_t n, bool* clean_eof) {
  *clean_eof = false;
  if (end_ - begin_ >= n) return Status::Ok();
  if (begin_ > 0) {  // keep what is unread at the front
    std::memmove(buf_.data(), buf_.data() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
  }
  if (buf_.size() < n) buf_.resize(std::max(n, size_t{8192}));
  while (end_ < n) {
    if (buf_.size() == end_) buf_.resize(buf_.size() * 2);
    CARELAKE_ASSIGN_OR_RETURN(size_t got, stream_->Read(buf_.data() + end_, buf_.size() - end_));
    if (got == 0) {
      *clean_eof = end_ == 0;
      return Unavailable(end_ == 0 ? "the client closed the connection"
                                   : "the client closed the connection inside a message");
    }
    end_ += got;
  }
  return Status::Ok();
}

Result<Message> MessageReader::ReadStartup(size_t max_length) {
  bool eof = false;
  CARELAKE_RETURN_IF_ERROR(Fill(4, &eof));
  const int32_t length = ReadInt32(buf_.data() + begin_);
  if (length < 8 || static_cast<size_t>(length) > max_length) {
    return InvalidArgument("invalid length of startup packet: " + std::to_string(length));
  }
  CARELAKE_RETURN_IF_ERROR(Fill(static_cast<size_t>(length), &eof));
  Message m;
  m.body.assign(buf_.data() + begin_ + 4, static_cast<size_t>(length) - 4);
  begin_ += static_cast<size_t>(length);
  return m;
}

Result<Message> MessageReader::Read(size_t max_length) {
  bool eof = false;
  Status filled = Fill(5, &eof);
  if (!filled.ok()) return eof ? NotFound(filled.message()) : filled;
  const char type = buf_[begin_];
  const int32_t length = ReadInt32(buf_.data() + begin_ + 1);
  if (length < 4 || static_cast<size_t>(length) - 4 > max_length) {
    return InvalidArgument("invalid message length " + std::to_string(length) +
                           " for message type '" + std::string(1, type) + "'");
  }
  CARELAKE_RETURN_IF_ERROR(Fill(static_cast<size_t>(length) + 1, &eof));
  Message m;
  m.type = type;
  m.body.assign(buf_.data() + begin_ + 5, static_cast<size_t>(length) - 4);
  begin_ += static_cast<size_t>(length) + 1;
  return m;
}

}  // namespace carelake::pgwire
