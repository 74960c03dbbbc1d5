package import Foundation
import SpaceTriage

#if canImport(FoundationNetworking)
  import FoundationNetworking
#endif

/// The few Hub endpoints `doctor` reads, GET only, with `Authorization: Bearer $HF_TOKEN`
/// when a token is set: `GET /api/spaces/{id}`, `/runtime`, `/variables`, `/secrets` (keys
/// only) and `GET /spaces/{id}/resolve/main/{path}` (response shapes as `huggingface_hub`'s
/// `space_info`, `get_space_runtime`, `get_space_variables`, `get_space_secrets`, `hf_hub_url`).
///
/// Errors are ``SpaceLogsError`` (the kinds `watch --space` maps to 66/77/74); messages never
/// hold the token.
package final class HubClient: @unchecked Sendable {
  // SAFETY (@unchecked Sendable): immutable after init; URLSession is thread-safe.
  package let endpoint: URL
  package let space: String
  let token: String?
  let session: URLSession
  /// Seconds a request may take.
  package let timeout: TimeInterval

  package init(endpoint: URL, space: String, token: String?, timeout: TimeInterval = 30) {
    self.endpoint = endpoint
    self.space = space
    self.token = token.flatMap { $0.isEmpty ? nil : $0 }
    self.timeout = timeout
    let configuration = URLSessionConfiguration.ephemeral
    configuration.timeoutIntervalForRequest = timeout
    configuration.timeoutIntervalForResource = timeout
    configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
    configuration.urlCache = nil
    configuration.httpCookieStorage = nil
    session = URLSession(configuration: configuration, delegate: RedirectGuard(), delegateQueue: nil)
  }

  deinit { session.invalidateAndCancel() }

  var base: String {
    var base = endpoint.absoluteString
    while base.hasSuffix("/") { base.removeLast() }
    return base
  }

  /// An HTTP answer.
  package struct Answer: Sendable {
    package var status: Int
    package var body: Data
    /// The `rel="next"` URL of a `Link` header (a listing continues on another page).
    package var nextPage: String? = nil
  }

  /// `GET path` (relative to the endpoint); throws only for network failures.
  package func get(_ path: String) throws -> Answer {
    guard let url = URL(string: base + path) else {
      throw SpaceLogsError(.network, message: "cannot build a URL for \(path)")
    }
    return try get(url: url, path: path)
  }

  /// `GET url` (absolute: the next page of a listing); throws only for network failures.
  package func get(url: URL, path: String) throws -> Answer {
    var request = URLRequest(url: url)
    request.httpMethod = "GET"
    request.setValue("space-triage/0.1 (doctor)", forHTTPHeaderField: "User-Agent")
    if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
    let done = DispatchSemaphore(value: 0)
    let box = ResultBox()
    let task = session.dataTask(with: request) { data, response, error in
      box.set(data: data, response: response, error: error)
      done.signal()
    }
    task.resume()
    if done.wait(timeout: .now() + timeout + 5) == .timedOut {
      task.cancel()
      throw SpaceLogsError(.network, message: "the Hub at \(base) did not answer \(path) within \(Int(timeout)) s")
    }
    let (data, response, error) = box.get()
    if let error {
      throw SpaceLogsError(.network, message: "cannot reach the Hub at \(base): \(error.localizedDescription)")
    }
    let http = response as? HTTPURLResponse
    let link = http?.value(forHTTPHeaderField: "Link")
    return Answer(status: http?.statusCode ?? 0, body: data ?? Data(), nextPage: link.flatMap(HubClient.nextPage(inLinkHeader:)))
  }

  /// The URL marked `rel="next"` in a `Link` header (`<URL>; rel="next", <URL>; rel="last"`), as
  /// the Hub pages its listings (`huggingface_hub`'s `paginate`).
  package static func nextPage(inLinkHeader header: String) -> String? {
    for part in header.split(separator: ",") {
      let fields = part.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
      guard let target = fields.first, target.hasPrefix("<"), target.hasSuffix(">"),
        fields.dropFirst().contains(where: { $0.replacingOccurrences(of: " ", with: "").lowercased() == #"rel="next""# || $0 == "rel=next" })
      else { continue }
      return String(target.dropFirst().dropLast())
    }
    return nil
  }

  /// `GET path` as JSON; 404 → not found (66), 401/403 → not authorised (77), other failures → 74.
  package func json(_ path: String, what: String) throws -> Any {
    let answer = try get(path)
    try check(answer.status, what: what)
    guard let value = try? JSONSerialization.jsonObject(with: answer.body) else {
      throw SpaceLogsError(.network, message: "the Hub answered \(what) for \(space) with something that is not JSON")
    }
    return value
  }

  /// Throws the error for a failed status.
  package func check(_ status: Int, what: String) throws {
    switch status {
    case 200..<300: return
    case 401, 403:
      let hint =
        token == nil
        ? "set HF_TOKEN to a token with read access (a private Space, or a duplicate, which is private by default)"
        : "HF_TOKEN was sent but was refused: use a token of an account that can see this Space, with the \"read\" role (a fine-grained token needs read access to this repository)"
      throw SpaceLogsError(.notAuthorised(status: status), message: "the Hub answered \(status) for \(what) of \(space): \(hint)")
    case 404:
      throw SpaceLogsError(
        .notFound,
        message: "the Hub answered 404 for \(what) of \(space): check OWNER/NAME; a private Space "
          + (token == nil ? "needs HF_TOKEN set to a token with read access" : "needs a token that can read it"))
    default:
      throw SpaceLogsError(.network, message: "the Hub answered HTTP \(status) for \(what) of \(space); try again later")
    }
  }

  /// A repository file through `resolve/main`: its text, or `nil` when absent (404).
  package func file(_ path: String) throws -> String? {
    let encoded = path.split(separator: "/").map {
      String($0).addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(["/"])) ?? String($0)
    }.joined(separator: "/")
    let answer = try get("/spaces/\(space)/resolve/main/\(encoded)")
    if answer.status == 404 { return nil }
    try check(answer.status, what: path)
    return String(decoding: answer.body, as: UTF8.self)
  }

  private final class ResultBox: @unchecked Sendable {
    // SAFETY: written once before the semaphore is signalled, read after it.
    private let lock = NSLock()
    private var data: Data?
    private var response: URLResponse?
    private var error: (any Error)?
    func set(data: Data?, response: URLResponse?, error: (any Error)?) {
      lock.withLock {
        self.data = data
        self.response = response
        self.error = error
      }
    }
    func get() -> (Data?, URLResponse?, (any Error)?) { lock.withLock { (data, response, error) } }
  }

  /// Drops the token when a redirect leaves the Hub's host (resolve/main redirects to a CDN
  /// for LFS files).
  private final class RedirectGuard: NSObject, URLSessionTaskDelegate, @unchecked Sendable {
    func urlSession(
      _ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
      newRequest request: URLRequest, completionHandler: @escaping (URLRequest?) -> Void
    ) {
      var next = request
      if request.url?.host != task.originalRequest?.url?.host { next.setValue(nil, forHTTPHeaderField: "Authorization") }
      completionHandler(next)
    }
  }
}
