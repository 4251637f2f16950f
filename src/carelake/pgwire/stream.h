// Stream: the bytes of one client connection — a socket, or TLS on that
// socket after an SSLRequest — read in pieces and written whole, and a
// MessageReader that cuts it into protocol messages.
#ifndef CARELAKE_PGWIRE_STREAM_H_
#define CARELAKE_PGWIRE_STREAM_H_

#include <cstddef>
#include <string>
#include <string_view>

#include "carelake/base/result.h"

namespace carelake::pgwire {

class Stream {
 public:
  virtual ~Stream() = default;
  // Up to `n` bytes; 0 when the peer closed the connection. Unavailable on
  // a reset or a failure of the transport.
  virtual Result<size_t> Read(char* buf, size_t n) = 0;
  // All of `bytes`, or Unavailable.
  virtual Status Write(std::string_view bytes) = 0;
};

// A connected socket; does not own the descriptor.
class SocketStream : public Stream {
 public:
  explicit SocketStream(int fd) : fd_(fd) {}
  Result<size_t> Read(char* buf, size_t n) override;
  Status Write(std::string_view bytes) override;
  int fd() const { return fd_; }

 private:
  int fd_;
};

// One frontend message: `type` is 0 for the startup packet (which has no
// type byte).
struct Message {
  char type = 0;
  std::string body;
};

// Cuts a stream into messages, checking each declared length before reading
// the body: a length below 4 or above the limit is an error (the connection
// cannot be resynchronised after it), so is a stream that ends inside a
// message.
class MessageReader {
 public:
  explicit MessageReader(Stream* stream) : stream_(stream) {}
  // The stream to read from next (after a switch to TLS). Bytes already
  // buffered must not exist then: a client must not send more after an
  // SSLRequest before the handshake (checked by buffered()).
  void set_stream(Stream* stream) { stream_ = stream; }
  size_t buffered() const { return end_ - begin_; }

  // The startup packet (Int32 length then body), at most `max_length` bytes.
  Result<Message> ReadStartup(size_t max_length);
  // A typed message whose body is at most `max_length` bytes. NotFound when
  // the peer closed the connection cleanly between two messages.
  Result<Message> Read(size_t max_length);

 private:
  // Makes `n` bytes available at begin_; Unavailable if the stream ends.
  Status Fill(size_t n, bool* clean_eof);
  Stream* stream_;
  std::string buf_;
  size_t begin_ = 0;
  size_t end_ = 0;
};

}  // namespace carelake::pgwire

#endif  // CARELAKE_PGWIRE_STREAM_H_
