import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A bare HTTP/1.1 server on 127.0.0.1 for tests: POSIX sockets, a thread per connection, one
/// request per connection (`Connection: close`). It reads the request head and hands it, with the
/// connection, to a handler that writes the whole response itself.
///
/// The fakes of the tests (the logs API's `LoopbackServer`, `doctor`'s `FakeHub`) are handlers
/// over this server; it never listens beyond the loopback address.
package final class LoopbackHTTPServer: @unchecked Sendable {
  // SAFETY (@unchecked Sendable): `stopped` is guarded by `lock`; the rest is set once in init.

  /// The request line and the headers the fakes look at.
  package struct RequestHead: Sendable {
    /// `GET`, `POST`, …
    package var method: String
    /// The request target: path and query.
    package var path: String
    /// The `Authorization` header, if any.
    package var authorization: String?
  }

  /// One accepted connection, open while the handler runs and closed after it returns.
  package struct Connection: Sendable {
    let socket: Int32

    /// Sends all of `text`; `false` once the peer is gone (no SIGPIPE: `MSG_NOSIGNAL`).
    @discardableResult
    package func send(_ text: String) -> Bool {
      var bytes = Array(text.utf8)[...]
      while !bytes.isEmpty {
        let sent = bytes.withUnsafeBytes { sendNoSignal(socket, $0) }
        if sent <= 0 { return false }
        bytes = bytes.dropFirst(sent)
      }
      return true
    }

    /// Sends one chunk of a `Transfer-Encoding: chunked` body (an empty `text` is the final chunk).
    @discardableResult
    package func sendChunk(_ text: String) -> Bool {
      text.isEmpty ? send("0\r\n\r\n") : send(String(text.utf8.count, radix: 16) + "\r\n" + text + "\r\n")
    }
  }

  /// The port the kernel chose.
  package let port: UInt16
  private let listener: Int32
  private let handler: @Sendable (RequestHead, Connection) -> Void
  private let lock = NSLock()
  private var stopped = false
  private let acceptEnded = DispatchSemaphore(value: 0)

  /// `http://127.0.0.1:PORT`.
  package var endpoint: String { "http://127.0.0.1:\(port)" }

  /// Whether ``stop()`` was called (long responses check it to end early).
  package var isStopped: Bool { lock.withLock { stopped } }

  /// Listens on a port of 127.0.0.1 chosen by the kernel and serves each connection with
  /// `handler` on a thread of its own.
  package init(backlog: Int32 = 32, handler: @escaping @Sendable (RequestHead, Connection) -> Void) throws {
    self.handler = handler
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw POSIXError(.EIO) }
    var one: Int32 = 1
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = 0
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let bound = withUnsafePointer(to: &address) { pointer in
      pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard bound == 0, listen(fd, backlog) == 0 else {
      close(fd)
      throw POSIXError(.EADDRINUSE)
    }
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &address) { pointer in
      pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
    }
    listener = fd
    port = UInt16(bigEndian: address.sin_port)
    Thread { [self] in acceptLoop() }.start()
  }

  /// Stops accepting connections.
  ///
  /// The listening socket is closed only after the accept thread has left `accept`, so the
  /// thread can never accept on a descriptor number that was reused by another server.
  package func stop() {
    lock.withLock { stopped = true }
    shutdown(listener, Int32(SHUT_RDWR))
    acceptEnded.wait()
    close(listener)
  }

  private func acceptLoop() {
    defer { acceptEnded.signal() }
    while true {
      let client = accept(listener, nil, nil)
      if isStopped {
        if client >= 0 { close(client) }
        return
      }
      if client < 0 {
        if errno == EINTR { continue }
        return
      }
      Thread { [self] in serve(client) }.start()
    }
  }

  private func serve(_ client: Int32) {
    defer { close(client) }
    guard let head = readHead(client) else { return }
    let lines = head.components(separatedBy: "\r\n")
    let parts = lines.first?.split(separator: " ") ?? []
    guard parts.count >= 2 else { return }
    var authorization: String?
    for line in lines.dropFirst() {
      guard let colon = line.firstIndex(of: ":") else { continue }
      if line[..<colon].lowercased() == "authorization" {
        authorization = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
      }
    }
    handler(RequestHead(method: String(parts[0]), path: String(parts[1]), authorization: authorization), Connection(socket: client))
  }

  /// The request line and headers, up to the blank line (at most 64 KiB); `nil` if the peer
  /// closed first.
  private func readHead(_ client: Int32) -> String? {
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 4096)
    while bytes.count < 65536 {
      let count = buffer.withUnsafeMutableBytes { recv(client, $0.baseAddress, $0.count, 0) }
      if count <= 0 { return nil }
      bytes += buffer[0..<count]
      if bytes.count >= 4, bytes.suffix(4) == [13, 10, 13, 10] { return String(decoding: bytes, as: UTF8.self) }
    }
    return nil
  }
}

/// `send(2)` without SIGPIPE (a free function: inside ``LoopbackHTTPServer/Connection`` the name
/// `send` is the method's).
private func sendNoSignal(_ socket: Int32, _ bytes: UnsafeRawBufferPointer) -> Int {
  send(socket, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL))
}
