import Foundation
import SpaceTriage
import Testing

/// The logs API client against a real HTTP server on loopback.
@Suite(.serialized)
struct SpaceLogsClientTests {
  private func request(_ server: LoopbackServer, space: String = "acme/zero-demo", kind: SpaceLogKind = .run, token: String? = LiveFixtures.token) throws -> SpaceLogsRequest {
    var environment = ["HF_ENDPOINT": server.endpoint]
    environment["HF_TOKEN"] = token
    return try #require(SpaceLogsRequest.fromEnvironment(environment, space: space, kind: kind))
  }

  /// Reads the whole stream; returns its bytes, or the error.
  private func readAll(_ client: SpaceLogsClient) -> Result<[UInt8], SpaceLogsError> {
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 4096)
    do {
      while true {
        let count = try buffer.withUnsafeMutableBytes { try client.read(into: $0) }
        if count == 0 { return .success(bytes) }
        bytes += buffer[0..<count]
      }
    } catch let error as SpaceLogsError {
      return .failure(error)
    } catch {
      return .failure(SpaceLogsError(.network, message: "\(error)"))
    }
  }

  /// The log lines carried by `data: {…}` events, in order.
  private func eventTexts(_ bytes: [UInt8]) -> [String] {
    String(decoding: bytes, as: UTF8.self).split(separator: "\n").compactMap { line in
      guard line.hasPrefix("data: {"),
        let object = try? JSONSerialization.jsonObject(with: Data(line.dropFirst(6).utf8)) as? [String: Any]
      else { return nil }
      return object["data"] as? String
    }
  }

  @Test func reconnectsAfterADropWithoutRepeatingEvents() throws {
    let server = try LiveFixtures.logsServer(dropAfter: 5)
    defer { server.stop() }
    let client = SpaceLogsClient(request: try request(server), backoff: { _ in .zero })
    let bytes = try readAll(client).get()
    #expect(eventTexts(bytes) == LiveFixtures.runLines, "every event once, in order")
    #expect(client.connections == 2)
    let requests = server.requests
    #expect(requests.count == 2)
    #expect(requests.allSatisfy { $0.path == "/api/spaces/acme/zero-demo/logs/run" })
    #expect(requests.allSatisfy { $0.authorization == "Bearer \(LiveFixtures.token)" })
    #expect(requests.allSatisfy { $0.method == "GET" })
  }

  @Test func buildLogsComeFromTheBuildEndpoint() throws {
    let server = try LiveFixtures.logsServer(dropAfter: 2)
    defer { server.stop() }
    let client = SpaceLogsClient(request: try request(server, kind: .build), backoff: { _ in .zero })
    #expect(eventTexts(try readAll(client).get()) == LiveFixtures.buildLines)
    #expect(server.requests.first?.path == "/api/spaces/acme/zero-demo/logs/build")
  }

  @Test func givesUpAfterFiveDropsInARow() throws {
    // Every connection drops before its first new event: no progress, so the count is not reset.
    let server = try LiveFixtures.logsServer(dropAfter: 0, dropEvery: true)
    defer { server.stop() }
    let waits = WaitLog()
    let client = SpaceLogsClient(
      request: try request(server),
      backoff: { attempt in
        waits.append(attempt)
        return .zero
      })
    guard case .failure(let error) = readAll(client) else {
      Issue.record("expected a network error")
      return
    }
    #expect(error.kind == .network)
    #expect(error.message.contains("dropped"))
    #expect(waits.values == [1, 2, 3, 4, 5])
    #expect(server.requests.count == 6)
    #expect(!error.message.contains(LiveFixtures.token))
  }

  @Test func defaultBackoffGrowsFromOneToTenSeconds() {
    #expect((1...6).map(SpaceLogsClient.defaultBackoff) == [.seconds(1), .seconds(2), .seconds(4), .seconds(8), .seconds(10), .seconds(10)])
  }

  @Test func unauthorisedAndNotFoundFailAtOnce() throws {
    let server = try LiveFixtures.logsServer()
    defer { server.stop() }
    for (space, token, expected) in [
      ("acme/private", LiveFixtures.token, SpaceLogsError.Kind.notAuthorised(status: 401)),
      ("acme/forbidden", LiveFixtures.token, .notAuthorised(status: 403)),
      ("acme/zero-demo", nil, .notAuthorised(status: 401)),
      ("acme/missing", LiveFixtures.token, .notFound),
    ] as [(String, String?, SpaceLogsError.Kind)] {
      let before = server.requests.count
      let client = SpaceLogsClient(request: try request(server, space: space, token: token), backoff: { _ in .zero })
      guard case .failure(let error) = readAll(client) else {
        Issue.record("\(space): expected an error")
        continue
      }
      #expect(error.kind == expected, "\(space)")
      #expect(server.requests.count == before + 1, "\(space): no retry")
      #expect(!error.message.contains(LiveFixtures.token), "\(space)")
      if case .notAuthorised = expected { #expect(error.message.contains("read access"), "\(space): \(error.message)") }
      if token == nil { #expect(error.message.contains("HF_TOKEN"), "\(error.message)") }
    }
  }

  @Test func anUnreachableEndpointIsANetworkError() throws {
    // Port 1 on loopback: nothing listens there, the connection is refused.
    let request = try #require(SpaceLogsRequest.fromEnvironment(["HF_ENDPOINT": "http://127.0.0.1:1"], space: "acme/x", kind: .run))
    guard case .failure(let error) = readAll(SpaceLogsClient(request: request, backoff: { _ in .zero })) else {
      Issue.record("expected a network error")
      return
    }
    #expect(error.kind == .network)
  }

  @Test func bytesArriveBeforeTheResponseEnds() throws {
    // The server sends two events, then waits for the test before sending the rest: the client
    // must hand out the first events while the response is still open.
    let gate = DispatchSemaphore(value: 0)
    let chunks = LiveFixtures.sseChunks(["first\n", "second\n", "third\n"])
    let gateIndex = chunks.firstIndex { $0.contains("third") } ?? chunks.count
    let server = try LoopbackServer { _ in .stream(chunks, drop: false, gate: gate, gateIndex: gateIndex) }
    defer { server.stop() }
    let client = SpaceLogsClient(request: try request(server), backoff: { _ in .zero })
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 4096)
    while eventTexts(bytes).count < 2 {
      let count = try buffer.withUnsafeMutableBytes { try client.read(into: $0) }
      #expect(count > 0, "the stream ended early")
      if count == 0 { break }
      bytes += buffer[0..<count]
    }
    #expect(eventTexts(bytes) == ["first\n", "second\n"])
    gate.signal()
    bytes += try readAll(client).get()
    #expect(eventTexts(bytes) == ["first\n", "second\n", "third\n"])
  }

  @Test func theTokenIsNotCarriedToAnotherHost() throws {
    // 127.0.0.1 redirects to localhost: the same server under another host name.
    let server = try LoopbackServer { request in
      if request.path.hasPrefix("/api/") { return .redirect("http://localhost:\(request.port)/elsewhere") }
      return .stream(LiveFixtures.sseChunks(["moved\n"]), drop: false)
    }
    defer { server.stop() }
    let client = SpaceLogsClient(request: try request(server), backoff: { _ in .zero })
    #expect(eventTexts(try readAll(client).get()) == ["moved\n"])
    let requests = server.requests
    #expect(requests.map(\.path) == ["/api/spaces/acme/zero-demo/logs/run", "/elsewhere"])
    #expect(requests.first?.authorization == "Bearer \(LiveFixtures.token)")
    #expect(requests.last?.authorization == nil, "the token went to another host")
  }

  @Test func requestURLAndEnvironment() throws {
    let request = try #require(SpaceLogsRequest.fromEnvironment(["HF_ENDPOINT": "https://hub.example/", "HF_TOKEN": ""], space: "a/b", kind: .build))
    #expect(request.url.absoluteString == "https://hub.example/api/spaces/a/b/logs/build")
    #expect(request.token == nil)
    let standard = try #require(SpaceLogsRequest.fromEnvironment([:], space: "a/b", kind: .run))
    #expect(standard.url.absoluteString == "https://huggingface.co/api/spaces/a/b/logs/run")
    #expect(SpaceLogsRequest.fromEnvironment(["HF_ENDPOINT": "ftp://x"], space: "a/b", kind: .run) == nil)
  }
}

/// Records the backoff calls (from the reading thread).
final class WaitLog: @unchecked Sendable {
  // SAFETY (@unchecked Sendable): `recorded` is guarded by `lock`.
  private let lock = NSLock()
  private var recorded: [Int] = []
  func append(_ value: Int) { lock.withLock { recorded.append(value) } }
  var values: [Int] { lock.withLock { recorded } }
}
