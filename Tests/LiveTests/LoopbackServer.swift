import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A tiny HTTP/1.1 server on 127.0.0.1 for the logs API tests: POSIX sockets, one thread per
/// connection, responses chosen by a handler.
///
/// A streamed response uses chunked transfer encoding, so the test controls how it ends: a
/// final zero-length chunk is a clean end ("stream close = done"); closing the socket before it
/// is a dropped connection the client must notice.
final class LoopbackServer: @unchecked Sendable {
  // SAFETY (@unchecked Sendable): `received`, `counts` and `stopped` are guarded by `lock`; the
  // rest is set once in init.

  /// A request as the server saw it.
  struct Request: Sendable {
    var method: String
    var path: String
    /// The `Authorization` header, if any.
    var authorization: String?
    /// 1-based count of requests for this path so far (this one included).
    var attempt: Int
    /// The server's port.
    var port: UInt16
  }

  /// How to answer a request.
  enum Response: Sendable {
    /// A status with a short text body.
    case status(Int, String)
    /// `302 Found` to `location`.
    case redirect(String)
    /// `200`, `text/event-stream`, the chunks in order; `drop` closes the socket instead of
    /// sending the final chunk. `gate` (if any) is waited on before the chunk at `gateIndex`.
    case stream([String], drop: Bool, gate: DispatchSemaphore? = nil, gateIndex: Int = 0)
  }

  let port: UInt16
  private let listener: Int32
  private let handler: @Sendable (Request) -> Response
  private let lock = NSLock()
  private var received: [Request] = []
  private var counts: [String: Int] = [:]
  private var stopped = false
  private let acceptEnded = DispatchSemaphore(value: 0)

  /// Every request so far, in order.
  var requests: [Request] { lock.withLock { received } }

  init(handler: @escaping @Sendable (Request) -> Response) throws {
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
    guard bound == 0, listen(fd, 16) == 0 else {
      close(fd)
      throw POSIXError(.EADDRINUSE)
    }
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &address) { pointer in
      pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
    }
    listener = fd
    port = UInt16(bigEndian: address.sin_port)
    let thread = Thread { [self] in acceptLoop() }
    thread.start()
  }

  /// `http://127.0.0.1:PORT`.
  var endpoint: String { "http://127.0.0.1:\(port)" }

  /// Stops accepting connections.
  ///
  /// The listening socket is closed only after the accept thread has left `accept`, so the
  /// thread can never accept on a descriptor number that was reused by another server.
  func stop() {
    lock.withLock { stopped = true }
    shutdown(listener, Int32(SHUT_RDWR))
    acceptEnded.wait()
    close(listener)
  }

  private func acceptLoop() {
    defer { acceptEnded.signal() }
    while true {
      let client = accept(listener, nil, nil)
      if lock.withLock({ stopped }) {
        if client >= 0 { close(client) }
        return
      }
      if client < 0 {
        if errno == EINTR { continue }
        return
      }
      let thread = Thread { [self] in serve(client) }
      thread.start()
    }
  }

  private func serve(_ client: Int32) {
    defer { close(client) }
    guard let head = readHead(client) else { return }
    let lines = head.components(separatedBy: "\r\n")
    let parts = lines.first?.split(separator: " ") ?? []
    guard parts.count >= 2 else { return }
    let path = String(parts[1])
    var authorization: String?
    for line in lines.dropFirst() {
      guard let colon = line.firstIndex(of: ":") else { continue }
      if line[..<colon].lowercased() == "authorization" {
        authorization = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
      }
    }
    let request = lock.withLock { () -> Request in
      counts[path, default: 0] += 1
      let request = Request(
        method: String(parts[0]), path: path, authorization: authorization, attempt: counts[path] ?? 1,
        port: port)
      received.append(request)
      return request
    }
    switch handler(request) {
    case .status(let code, let body):
      transmit(client, "HTTP/1.1 \(code) Status\r\nContent-Type: text/plain\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)")
    case .redirect(let location):
      transmit(client, "HTTP/1.1 302 Found\r\nLocation: \(location)\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
    case .stream(let chunks, let drop, let gate, let gateIndex):
      transmit(client, "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n")
      for (index, chunk) in chunks.enumerated() {
        if index == gateIndex, let gate { gate.wait() }
        transmit(client, String(chunk.utf8.count, radix: 16) + "\r\n" + chunk + "\r\n")
      }
      if !drop { transmit(client, "0\r\n\r\n") }
    }
  }

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

  private func transmit(_ client: Int32, _ text: String) {
    var bytes = Array(text.utf8)[...]
    while !bytes.isEmpty {
      let sent = bytes.withUnsafeBytes { send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
      if sent <= 0 { return }
      bytes = bytes.dropFirst(sent)
    }
  }
}
