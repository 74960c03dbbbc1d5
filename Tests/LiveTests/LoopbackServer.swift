import Foundation
import TestSupport

/// A tiny HTTP/1.1 server on 127.0.0.1 for the logs API tests (over `LoopbackHTTPServer`,
/// Tests/TestSupport), responses chosen by a handler.
///
/// A streamed response uses chunked transfer encoding, so the test controls how it ends: a
/// final zero-length chunk is a clean end ("stream close = done"); closing the socket before it
/// is a dropped connection the client must notice.
final class LoopbackServer: @unchecked Sendable {
  // SAFETY (@unchecked Sendable): `received` and `counts` are guarded by `lock`; the rest is
  // set once in init.

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

  /// The server's port.
  var port: UInt16 { server.port }
  private var server: LoopbackHTTPServer!
  private let handler: @Sendable (Request) -> Response
  private let lock = NSLock()
  private var received: [Request] = []
  private var counts: [String: Int] = [:]

  /// Every request so far, in order.
  var requests: [Request] { lock.withLock { received } }

  init(handler: @escaping @Sendable (Request) -> Response) throws {
    self.handler = handler
    server = try LoopbackHTTPServer(backlog: 16) { [weak self] head, connection in
      self?.serve(head, connection)
    }
  }

  /// `http://127.0.0.1:PORT`.
  var endpoint: String { server.endpoint }

  /// Stops accepting connections.
  func stop() { server.stop() }

  private func serve(_ head: LoopbackHTTPServer.RequestHead, _ connection: LoopbackHTTPServer.Connection) {
    let request = lock.withLock { () -> Request in
      counts[head.path, default: 0] += 1
      let request = Request(
        method: head.method, path: head.path, authorization: head.authorization, attempt: counts[head.path] ?? 1,
        port: port)
      received.append(request)
      return request
    }
    switch handler(request) {
    case .status(let code, let body):
      connection.send("HTTP/1.1 \(code) Status\r\nContent-Type: text/plain\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)")
    case .redirect(let location):
      connection.send("HTTP/1.1 302 Found\r\nLocation: \(location)\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
    case .stream(let chunks, let drop, let gate, let gateIndex):
      connection.send("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n")
      for (index, chunk) in chunks.enumerated() {
        if index == gateIndex, let gate { gate.wait() }
        connection.sendChunk(chunk)
      }
      if !drop { connection.sendChunk("") }
    }
  }
}
