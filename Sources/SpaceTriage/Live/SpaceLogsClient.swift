package import Foundation

#if canImport(FoundationNetworking)
  internal import FoundationNetworking
#endif

/// Which log of a Space to read.
package enum SpaceLogKind: String, Sendable {
  /// The container build log (`/logs/build`).
  case build
  /// The app's output (`/logs/run`, "container logs" on the Space page).
  case run
}

/// Where the Space logs API is and how to ask it (docs/input.md, "The Space logs API").
package struct SpaceLogsRequest: Sendable {
  /// The Hub, e.g. `https://huggingface.co` (`HF_ENDPOINT`).
  package var endpoint: URL
  /// `OWNER/NAME`.
  package var space: String
  /// Build or run logs.
  package var kind: SpaceLogKind
  /// Sent as `Authorization: Bearer …` when set (`HF_TOKEN`). Never printed.
  package var token: String?

  /// The Hub used when `HF_ENDPOINT` is not set.
  package static let defaultEndpoint = "https://huggingface.co"

  /// A request for `space`'s `kind` log at `endpoint`; an empty token counts as none.
  package init(endpoint: URL, space: String, kind: SpaceLogKind, token: String?) {
    self.endpoint = endpoint
    self.space = space
    self.kind = kind
    self.token = token.flatMap { $0.isEmpty ? nil : $0 }
  }

  /// A request configured like the `hf` client: `HF_ENDPOINT` (default ``defaultEndpoint``)
  /// and `HF_TOKEN` from `environment`.
  ///
  /// - Returns: `nil` when `HF_ENDPOINT` is not an http(s) URL.
  package static func fromEnvironment(
    _ environment: [String: String], space: String, kind: SpaceLogKind
  ) -> SpaceLogsRequest? {
    let endpoint = environment["HF_ENDPOINT"].flatMap { $0.isEmpty ? nil : $0 } ?? defaultEndpoint
    guard let url = URL(string: endpoint), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
      url.host != nil
    else { return nil }
    return SpaceLogsRequest(endpoint: url, space: space, kind: kind, token: environment["HF_TOKEN"])
  }

  /// `{endpoint}/api/spaces/{OWNER/NAME}/logs/{build|run}`.
  package var url: URL {
    var base = endpoint.absoluteString
    while base.hasSuffix("/") { base.removeLast() }
    return URL(string: "\(base)/api/spaces/\(space)/logs/\(kind.rawValue)") ?? endpoint
  }
}

/// Why a Space log stream failed. Every message is redacted.
package struct SpaceLogsError: Error, CustomStringConvertible, Sendable {
  /// What went wrong, as the CLI maps it to exit statuses.
  package enum Kind: Sendable, Equatable {
    /// 401 or 403: the token is missing, wrong, or cannot read this Space (exit 77).
    case notAuthorised(status: Int)
    /// 404: no such Space, or a private one the token cannot see (exit 66).
    case notFound
    /// The API cannot be reached, the connection kept dropping, or it answered something else (exit 74).
    case network
  }

  /// What went wrong.
  package var kind: Kind
  /// A one-line message that says what to do; contains no secret.
  package var message: String

  /// An error of `kind`; `message` is redacted here, so no caller can leak a secret through it.
  package init(_ kind: Kind, message: String) {
    self.kind = kind
    self.message = Redactor.standard.redact(message)
  }

  /// The message.
  package var description: String { message }
}

/// The Space logs API as a byte stream: `GET …/logs/{run|build}`, server-sent events.
///
/// Bytes reach ``read(into:)`` as the server sends them (URLSession with a data delegate;
/// nothing is buffered to the end), so a live log's lines arrive live. The stream ends when the
/// server closes it cleanly (the API's "stream close = done" contract).
///
/// A dropped connection (reset, an unfinished chunked body, a read timeout, a 5xx or 429) is
/// reconnected up to ``maxRetries`` consecutive times, waiting `backoff(n)` before the n-th try
/// (1 s, 2 s, 4 s, 8 s, 10 s by default). The server replays its history on each connection;
/// events already handed out are skipped by their index, as the official client does, so no
/// event is repeated. A connection that delivers a new event resets the count.
///
/// 401, 403 and 404 fail at once (no retry), as does a failure of the very first connection
/// (a wrong `HF_ENDPOINT` should not take half a minute to report).
///
/// The token is sent only in the `Authorization` header and appears in no error message.
package final class SpaceLogsClient: ByteSource, @unchecked Sendable {
  // SAFETY (@unchecked Sendable): every mutable property is guarded by `condition`; URLSession
  // calls the delegate on its own queue and the reader calls read(into:) on another thread.

  /// The request.
  package let request: SpaceLogsRequest
  /// Consecutive reconnects allowed after a drop.
  package let maxRetries: Int
  /// The wait before reconnect number n (1-based).
  package let backoff: @Sendable (Int) -> Duration
  /// The idle time after which a silent connection counts as dropped (the official client's
  /// follow mode uses 120 s; the server sends keep-alives well within it).
  package let readTimeout: TimeInterval

  private let condition = NSCondition()
  private var session: URLSession?
  private var task: URLSessionDataTask?
  private var connection = 0
  private var pending: [UInt8] = []
  private var pendingStart = 0
  private var filter = SSEReplayFilter()
  private var state = State.idle
  private var retries = 0
  private var everConnected = false
  private var cancelled = false
  /// Connections made (1 + reconnects), for tests and messages.
  package var connections: Int { condition.withLock { connection } }

  private enum State {
    case idle
    case connecting
    case streaming
    case dropped(String)
    case failed(SpaceLogsError)
    case finished
  }

  /// The default backoff: 1 s, 2 s, 4 s, 8 s, then 10 s.
  package static let defaultBackoff: @Sendable (Int) -> Duration = { attempt in
    .seconds(min(10, 1 << min(max(attempt - 1, 0), 4)))
  }

  /// Prepares the stream; the first connection is made by the first ``read(into:)``.
  ///
  /// - Parameters:
  ///   - maxRetries: consecutive reconnects allowed after a drop (the official client's 5).
  ///   - backoff: the wait before reconnect number n; tests pass `{ _ in .zero }`.
  ///   - readTimeout: seconds of silence after which a connection counts as dropped.
  package init(
    request: SpaceLogsRequest, maxRetries: Int = 5, backoff: @escaping @Sendable (Int) -> Duration = SpaceLogsClient.defaultBackoff,
    readTimeout: TimeInterval = 120
  ) {
    self.request = request
    self.maxRetries = maxRetries
    self.backoff = backoff
    self.readTimeout = readTimeout
  }

  deinit {
    task?.cancel()
    session?.invalidateAndCancel()
  }

  /// Stops the stream: a blocked ``read(into:)`` returns 0.
  package func cancel() {
    condition.withLock {
      cancelled = true
      task?.cancel()
      condition.broadcast()
    }
  }

  /// Waits for the next bytes of the event stream.
  ///
  /// - Returns: the number of bytes copied into `buffer`; 0 when the server ended the stream.
  /// - Throws: ``SpaceLogsError``.
  package func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
    condition.lock()
    defer { condition.unlock() }
    while true {
      if pendingStart < pending.count {
        let count = min(buffer.count, pending.count - pendingStart)
        pending.withUnsafeBytes { bytes in
          buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[pendingStart..<pendingStart + count]))
        }
        pendingStart += count
        if pendingStart == pending.count {
          pending.removeAll(keepingCapacity: true)
          pendingStart = 0
        }
        return count
      }
      if cancelled { return 0 }
      switch state {
      case .idle:
        connect()
      case .connecting, .streaming:
        condition.wait()
      case .finished:
        return 0
      case .failed(let error):
        throw error
      case .dropped(let reason):
        guard everConnected else {
          throw SpaceLogsError(.network, message: "cannot reach the Space logs API at \(request.url.absoluteString): \(reason)")
        }
        guard retries < maxRetries else {
          throw SpaceLogsError(
            .network,
            message: "the Space logs stream of \(request.space) dropped \(retries + 1) times in a row (last: \(reason)); giving up")
        }
        retries += 1
        let wait = backoff(retries)
        state = .idle
        condition.unlock()
        FileFollower.sleep(wait)
        condition.lock()
      }
    }
  }

  // MARK: - Connections (called with the lock held)

  private func connect() {
    connection += 1
    filter.startConnection()
    state = .connecting
    if session == nil {
      let configuration = URLSessionConfiguration.ephemeral
      configuration.timeoutIntervalForRequest = readTimeout
      configuration.timeoutIntervalForResource = 7 * 24 * 3600
      configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
      configuration.urlCache = nil
      configuration.httpCookieStorage = nil
      let queue = OperationQueue()
      queue.maxConcurrentOperationCount = 1
      session = URLSession(configuration: configuration, delegate: Delegate(owner: self), delegateQueue: queue)
    }
    var urlRequest = URLRequest(url: request.url)
    urlRequest.httpMethod = "GET"
    urlRequest.setValue("text/event-stream", forHTTPHeaderField: "Accept")
    urlRequest.setValue("no-cache", forHTTPHeaderField: "Cache-Control")
    urlRequest.setValue("space-triage/0.1", forHTTPHeaderField: "User-Agent")
    if let token = request.token { urlRequest.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
    let task = session?.dataTask(with: urlRequest)
    task?.taskDescription = String(connection)
    self.task = task
    task?.resume()
  }

  private func isCurrent(_ task: URLSessionTask) -> Bool {
    task.taskDescription == String(connection)
  }

  // MARK: - Delegate callbacks

  fileprivate func received(response: URLResponse, task: URLSessionTask) -> Bool {
    condition.withLock {
      guard isCurrent(task) else { return false }
      let status = (response as? HTTPURLResponse)?.statusCode ?? 0
      switch status {
      case 200..<300:
        state = .streaming
        everConnected = true
        return true
      case 401, 403:
        state = .failed(SpaceLogsError(.notAuthorised(status: status), message: notAuthorisedMessage(status)))
      case 404:
        state = .failed(
          SpaceLogsError(
            .notFound,
            message: "the Space logs API answered 404 for \(request.space): check OWNER/NAME; a private Space "
              + (request.token == nil ? "needs HF_TOKEN set to a token with read access" : "needs a token that can read it")))
      case 429, 500..<600:
        state =
          everConnected
          ? .dropped("HTTP \(status)")
          : .failed(
            SpaceLogsError(.network, message: "the Space logs API answered HTTP \(status) for \(request.space); try again later"))
      default:
        state = .failed(SpaceLogsError(.network, message: "the Space logs API answered HTTP \(status) for \(request.space)"))
      }
      condition.broadcast()
      return false
    }
  }

  fileprivate func received(data: Data, task: URLSessionTask) {
    condition.withLock {
      guard isCurrent(task) else { return }
      let before = (bytes: pending.count, events: filter.delivered)
      data.withUnsafeBytes { bytes in filter.feed(bytes) { pending.append(contentsOf: $0) } }
      // Only new events are progress: a server that replays history and drops again is not.
      if filter.delivered > before.events { retries = 0 }
      if pending.count > before.bytes { condition.broadcast() }
    }
  }

  fileprivate func completed(task: URLSessionTask, error: (any Error)?) {
    condition.withLock {
      guard isCurrent(task) else { return }
      switch state {
      case .streaming:
        if let error {
          state = .dropped(Redactor.standard.redact(SpaceLogsClient.describe(error)))
        } else {
          filter.finish { pending.append(contentsOf: $0) }
          state = .finished
        }
      case .connecting, .idle:
        state = .dropped(Redactor.standard.redact(error.map(SpaceLogsClient.describe) ?? "no response"))
      case .dropped, .failed, .finished:
        break
      }
      condition.broadcast()
    }
  }

  private func notAuthorisedMessage(_ status: Int) -> String {
    let what = "the Space logs API answered \(status) for \(request.space): reading its logs needs a token with read access"
    if request.token == nil {
      return what + " to this Space; set HF_TOKEN (a private Space, or logs that need a login)"
    }
    return what + "; HF_TOKEN was sent but was refused: use a token of an account that can see this Space, "
      + "with the \"read\" role (a fine-grained token needs read access to this repository)"
  }

  static func describe(_ error: any Error) -> String {
    let nsError = error as NSError
    if let message = nsError.userInfo[NSLocalizedDescriptionKey] as? String, !message.isEmpty { return message }
    return "\(nsError.domain) error \(nsError.code)"
  }

  /// Hands URLSession's callbacks to the stream without a retain cycle through the session.
  private final class Delegate: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    // SAFETY (@unchecked Sendable): `owner` is a weak reference, set once; the stream locks.
    weak var owner: SpaceLogsClient?

    init(owner: SpaceLogsClient) { self.owner = owner }

    func urlSession(
      _ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
      completionHandler: @escaping (URLSession.ResponseDisposition) -> Void
    ) {
      let keep = owner?.received(response: response, task: dataTask) ?? false
      completionHandler(keep ? .allow : .cancel)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
      owner?.received(data: data, task: dataTask)
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: (any Error)?) {
      owner?.completed(task: task, error: error)
    }

    func urlSession(
      _ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
      newRequest request: URLRequest, completionHandler: @escaping (URLRequest?) -> Void
    ) {
      // Never carry the token to another host.
      var next = request
      if request.url?.host != task.originalRequest?.url?.host { next.setValue(nil, forHTTPHeaderField: "Authorization") }
      completionHandler(next)
    }
  }
}
