import Foundation
import TestSupport

/// A strict fake of the Hub on 127.0.0.1 for `doctor`'s tests (a handler over
/// `LoopbackHTTPServer`, Tests/TestSupport).
///
/// Strict like the Hub: a request whose `Authorization` is not `Bearer <validToken>` gets 401
/// everywhere; a private Space without a token gets 401; an unknown Space or file gets 404;
/// variables and secrets need the token; anything but GET gets 405. Response bodies have the
/// shapes `huggingface_hub` reads (`SpaceInfo`, `SpaceRuntime`, `SpaceVariable`, `SpaceSecret`).
final class FakeHub: @unchecked Sendable {
  // SAFETY (@unchecked Sendable): `spaces` and `received` are guarded by `lock`; the rest is
  // set once in init.

  /// One Space the fake knows.
  struct Space: Sendable {
    var id: String
    var isPrivate = false
    var sdk = "gradio"
    var stage = "RUNNING"
    var hardwareCurrent: String? = "cpu-basic"
    var hardwareRequested: String? = "cpu-basic"
    var errorMessage: String?
    var files: [String: String] = [:]
    var variables: [String: String] = [:]
    var secrets: [String] = []
    var buildLog: [String] = []
    var runLog: [String] = []
    /// Seconds between two run log events.
    var runLogDelay: Double = 0
    /// Keep the run log open after its events (a live Space), sending a keep-alive every 0.2 s.
    var runLogStaysOpen = false
    var lastModified = "2026-11-20T09:58:00.000Z"
    /// The valid token's account may not see this Space (403, like an organisation's private Space).
    var forbidden = false
    /// The logs API answers 404 (a Space that never built).
    var noLogs = false
    /// What the Space becomes after `POST …/restart` (first element), and after
    /// `POST …/restart?factory=true`; unchanged when empty.
    var onRestart: [Space] = []
    var onFactoryRebuild: [Space] = []
  }

  /// A request as the fake saw it.
  struct Request: Sendable {
    var method: String
    var path: String
    var authorization: String?
    var status: Int
  }

  static let validToken = "hf_FakeHubValidToken0123456789abcdef"
  /// A valid token with the "read" role only: GETs pass, POST restart gets 403.
  static let readOnlyToken = "hf_FakeHubReadOnlyToken0123456789ab"

  var port: UInt16 { server.port }
  private var server: LoopbackHTTPServer!
  private var spaces: [String: Space]
  /// The ids of Spaces in `GET /api/spaces?author=` order.
  private let order: [String]
  private let lock = NSLock()
  private var received: [Request] = []

  var requests: [Request] { lock.withLock { received } }
  /// The POSTs received, as `METHOD path` (restart and factory rebuild requests).
  var posts: [String] { requests.filter { $0.method == "POST" }.map(\.path) }
  var endpoint: String { server.endpoint }
  private var isStopped: Bool { server.isStopped }

  /// Spaces per page of `GET /api/spaces?author=` (`nil`: one page), the next page named in a
  /// `Link: <…>; rel="next"` header as the Hub does.
  private let listPageSize: Int?

  init(spaces: [Space], listPageSize: Int? = nil) throws {
    self.spaces = Dictionary(uniqueKeysWithValues: spaces.map { ($0.id, $0) })
    self.order = spaces.map(\.id)
    self.listPageSize = listPageSize
    server = try LoopbackHTTPServer { [weak self] head, connection in
      self?.serve(head, connection)
    }
  }

  func stop() { server.stop() }

  // MARK: - Routing

  private enum Answer {
    case status(Int, String)
    case json(String)
    case jsonPage(String, next: String?)
    case file(String)
    case stream(events: [String], delay: Double, staysOpen: Bool)
  }

  private func route(method: String, path: String, authorization: String?) -> Answer {
    lock.withLock { routeLocked(method: method, path: path, authorization: authorization) }
  }

  private func routeLocked(method: String, path: String, authorization: String?) -> Answer {
    if method == "POST" { return restart(path: path, authorization: authorization) }
    guard method == "GET" else { return .status(405, #"{"error":"Method not allowed"}"#) }
    if let authorization, authorization != "Bearer \(FakeHub.validToken)", authorization != "Bearer \(FakeHub.readOnlyToken)" {
      return .status(401, #"{"error":"Invalid credentials in Authorization header"}"#)
    }
    // `GET /api/spaces?author=NAME` (`list_spaces`): the public Spaces of NAME (private ones too
    // with a token), as `SpaceInfo` without `expand`.
    if let components = URLComponents(string: path), components.path == "/api/spaces" {
      guard let author = components.queryItems?.first(where: { $0.name == "author" })?.value else {
        return .status(400, #"{"error":"author is required by this fake"}"#)
      }
      let listed = order.compactMap { spaces[$0] }.filter { $0.id.hasPrefix(author + "/") && (!$0.isPrivate || authorization != nil) }
      guard let pageSize = listPageSize else { return .json("[" + listed.map(FakeHub.listEntry).joined(separator: ",") + "]") }
      let start = Int(components.queryItems?.first(where: { $0.name == "cursor" })?.value ?? "0") ?? 0
      let page = listed.dropFirst(start).prefix(pageSize)
      let next = start + pageSize < listed.count ? "\(server.endpoint)/api/spaces?author=\(author)&cursor=\(start + pageSize)" : nil
      return .jsonPage("[" + page.map(FakeHub.listEntry).joined(separator: ",") + "]", next: next)
    }
    let authorised = authorization != nil
    let decoded = path.removingPercentEncoding ?? path
    let parts = decoded.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
    // "", "api", "spaces", owner, name, rest… | "", "spaces", owner, name, "resolve", "main", path…
    if parts.count >= 5, parts[1] == "api", parts[2] == "spaces" {
      let id = parts[3] + "/" + parts[4]
      guard let space = spaces[id] else { return .status(404, #"{"error":"Repository not found"}"#) }
      if space.isPrivate && !authorised { return .status(401, #"{"error":"Invalid username or password."}"#) }
      if space.forbidden { return .status(403, #"{"error":"You don't have access to this Space"}"#) }
      let rest = Array(parts.dropFirst(5))
      switch rest {
      case []: return .json(FakeHub.info(space))
      case ["runtime"]: return .json(FakeHub.runtime(space))
      case ["variables"]:
        guard authorised else { return .status(401, #"{"error":"Unauthorized"}"#) }
        return .json(FakeHub.variables(space))
      case ["secrets"]:
        guard authorised else { return .status(401, #"{"error":"Unauthorized"}"#) }
        return .json(FakeHub.secrets(space))
      case ["logs", "build"] where space.noLogs, ["logs", "run"] where space.noLogs: return .status(404, #"{"error":"Not found"}"#)
      case ["logs", "build"]: return .stream(events: space.buildLog, delay: 0, staysOpen: false)
      case ["logs", "run"]: return .stream(events: space.runLog, delay: space.runLogDelay, staysOpen: space.runLogStaysOpen)
      default: return .status(404, #"{"error":"Not found"}"#)
      }
    }
    if parts.count >= 7, parts[1] == "spaces", parts[4] == "resolve", parts[5] == "main" {
      let id = parts[2] + "/" + parts[3]
      guard let space = spaces[id] else { return .status(404, "Repository not found") }
      if space.isPrivate && !authorised { return .status(401, "Invalid username or password.") }
      let file = parts.dropFirst(6).joined(separator: "/")
      guard let text = space.files[file] else { return .status(404, "Entry not found") }
      return .file(text)
    }
    return .status(404, "Not found")
  }

  /// `POST /api/spaces/{id}/restart[?factory=true]` (`restart_space`): needs a token with write
  /// access (401 without a valid one, 403 for a read-only one), 404 for an unknown Space; answers
  /// the new runtime. Runs under `lock`.
  private func restart(path: String, authorization: String?) -> Answer {
    guard let components = URLComponents(string: path) else { return .status(404, "Not found") }
    let parts = components.path.split(separator: "/").map(String.init)
    guard parts.count == 5, parts[0] == "api", parts[1] == "spaces", parts[4] == "restart" else {
      return .status(405, #"{"error":"Method not allowed"}"#)
    }
    guard authorization == "Bearer \(FakeHub.validToken)" || authorization == "Bearer \(FakeHub.readOnlyToken)" else {
      return .status(401, #"{"error":"Invalid credentials in Authorization header"}"#)
    }
    let id = parts[2] + "/" + parts[3]
    guard let space = spaces[id] else { return .status(404, #"{"error":"Repository not found"}"#) }
    if authorization == "Bearer \(FakeHub.readOnlyToken)" || space.forbidden {
      return .status(403, #"{"error":"You don't have the rights to restart this Space (write access needed)"}"#)
    }
    let factory = components.queryItems?.contains { $0.name == "factory" && $0.value == "true" } ?? false
    if let next = (factory ? space.onFactoryRebuild : space.onRestart).first {
      var next = next
      next.id = id
      spaces[id] = next
    }
    return .json(FakeHub.runtime(spaces[id] ?? space))
  }

  // MARK: - Bodies with the Hub's field names

  static func listEntry(_ space: Space) -> String {
    let owner = space.id.split(separator: "/").first.map(String.init) ?? ""
    return
      #"{"_id":"6650f0c0a1b2c3d4e5f60718","id":\#(quote(space.id)),"author":\#(quote(owner)),"likes":3,"private":\#(space.isPrivate),"sdk":"\#(space.sdk)","tags":["\#(space.sdk)","region:us"],"createdAt":"2026-10-01T12:00:00.000Z","trendingScore":0}"#
  }

  static func quote(_ text: String) -> String {
    let data = try? JSONSerialization.data(withJSONObject: [text], options: [.fragmentsAllowed])
    let array = data.map { String(decoding: $0, as: UTF8.self) } ?? "[\"\"]"
    return String(array.dropFirst().dropLast())
  }

  static func runtime(_ space: Space) -> String {
    let current = space.hardwareCurrent.map(quote) ?? "null"
    let requested = space.hardwareRequested.map(quote) ?? "null"
    let error = space.errorMessage.map { #","errorMessage":\#(quote($0))"# } ?? ""
    return
      #"{"stage":"\#(space.stage)","hardware":{"current":\#(current),"requested":\#(requested)},"storage":null,"gcTimeout":172800,"replicas":{"current":1,"requested":1},"devMode":false,"domains":[{"domain":"\#(space.id.replacingOccurrences(of: "/", with: "-")).hf.space","stage":"READY"}]\#(error)}"#
  }

  static func cardData(_ space: Space) -> String {
    // What the Hub derives from README.md's front matter (only the scalar keys the tests use).
    guard let readme = space.files["README.md"] else { return "{}" }
    var fields: [String] = []
    let lines = readme.split(separator: "\n", omittingEmptySubsequences: false)
    guard lines.first == "---" else { return "{}" }
    for line in lines.dropFirst() {
      if line == "---" { break }
      guard let colon = line.firstIndex(of: ":"), !line.hasPrefix(" "), !line.hasPrefix("-") else { continue }
      let key = line[..<colon].trimmingCharacters(in: .whitespaces)
      let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\"'"))
      if !value.isEmpty { fields.append("\(quote(key)):\(quote(value))") }
    }
    return "{" + fields.joined(separator: ",") + "}"
  }

  static func info(_ space: Space) -> String {
    let owner = space.id.split(separator: "/").first.map(String.init) ?? ""
    let siblings = space.files.keys.sorted().map { #"{"rfilename":\#(quote($0))}"# }.joined(separator: ",")
    return
      #"{"_id":"6650f0c0a1b2c3d4e5f60718","id":\#(quote(space.id)),"author":\#(quote(owner)),"sha":"e9e3061c0ffee0000000000000000000deadbeef","lastModified":"\#(space.lastModified)","private":\#(space.isPrivate),"gated":false,"disabled":false,"host":"https://\#(space.id.replacingOccurrences(of: "/", with: "-")).hf.space","subdomain":"\#(space.id.replacingOccurrences(of: "/", with: "-"))","likes":3,"sdk":"\#(space.sdk)","tags":["gradio","region:us"],"cardData":\#(cardData(space)),"siblings":[\#(siblings)],"runtime":\#(runtime(space)),"createdAt":"2026-10-01T12:00:00.000Z","usedStorage":123456,"trendingScore":0,"models":[],"datasets":[]}"#
  }

  static func variables(_ space: Space) -> String {
    "{"
      + space.variables.sorted { $0.key < $1.key }.map {
        #"\#(quote($0.key)):{"value":\#(quote($0.value)),"description":null,"updatedAt":"2026-10-02T08:00:00.000Z"}"#
      }.joined(separator: ",") + "}"
  }

  static func secrets(_ space: Space) -> String {
    "{"
      + space.secrets.sorted().map { #"\#(quote($0)):{"description":null,"updatedAt":"2026-10-02T08:00:00.000Z"}"# }
      .joined(separator: ",") + "}"
  }

  /// `data: {"data": "<line>\n", "timestamp": "…"}` events for `lines`, one second apart from `start`.
  static func events(_ lines: [String], start: String) -> [String] {
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
    let base = formatter.date(from: start) ?? Date(timeIntervalSince1970: 0)
    return lines.enumerated().map { index, line in
      let stamp = formatter.string(from: base.addingTimeInterval(Double(index)))
      return #"data: {"data":\#(quote(line + "\n")),"timestamp":"\#(stamp)"}"# + "\n\n"
    }
  }

  // MARK: - Serving

  private func serve(_ head: LoopbackHTTPServer.RequestHead, _ connection: LoopbackHTTPServer.Connection) {
    let (method, path, authorization) = (head.method, head.path, head.authorization)
    let answer = route(method: method, path: path, authorization: authorization)
    let status: Int
    switch answer {
    case .status(let code, _): status = code
    default: status = 200
    }
    lock.withLock { received.append(Request(method: method, path: path, authorization: authorization, status: status)) }
    switch answer {
    case .status(let code, let body):
      connection.send("HTTP/1.1 \(code) Status\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)")
    case .json(let body):
      connection.send("HTTP/1.1 200 OK\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)")
    case .jsonPage(let body, let next):
      let link = next.map { "Link: <\($0)>; rel=\"next\"\r\n" } ?? ""
      connection.send(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json; charset=utf-8\r\n\(link)Content-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)")
    case .file(let body):
      connection.send("HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)")
    case .stream(let events, let delay, let staysOpen):
      guard connection.send("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n") else {
        return
      }
      for event in events {
        if delay > 0 { Thread.sleep(forTimeInterval: delay) }
        if isStopped { return }
        guard connection.sendChunk(event) else { return }
      }
      while staysOpen && !isStopped {
        Thread.sleep(forTimeInterval: 0.2)
        guard connection.sendChunk("data:\n\n") else { return }
      }
      connection.sendChunk("")
    }
  }
}
