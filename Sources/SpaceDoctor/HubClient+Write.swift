import Foundation
import SpaceTriage

#if canImport(FoundationNetworking)
  import FoundationNetworking
#endif

extension HubClient {
  /// `POST path` (relative to the endpoint) with an empty body; throws only for network failures.
  package func post(_ path: String) throws -> Answer {
    guard let url = URL(string: base + path) else {
      throw SpaceLogsError(.network, message: "cannot build a URL for \(path)")
    }
    var request = URLRequest(url: url)
    request.httpMethod = "POST"
    request.setValue("space-triage/0.1 (heal)", forHTTPHeaderField: "User-Agent")
    if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
    let done = DispatchSemaphore(value: 0)
    let box = PostBox()
    let task = session.dataTask(with: request) { data, response, error in
      box.set((data, (response as? HTTPURLResponse)?.statusCode ?? 0, error))
      done.signal()
    }
    task.resume()
    if done.wait(timeout: .now() + timeout + 5) == .timedOut {
      task.cancel()
      throw SpaceLogsError(.network, message: "the Hub at \(base) did not answer POST \(path) within \(Int(timeout)) s")
    }
    let (data, status, error) = box.get()
    if let error { throw SpaceLogsError(.network, message: "cannot reach the Hub at \(base): \(error.localizedDescription)") }
    return Answer(status: status, body: data ?? Data())
  }

  /// Throws for a failed write (restart): 401/403 name the write scope.
  package func checkWrite(_ status: Int, what: String) throws {
    switch status {
    case 200..<300: return
    case 401, 403:
      let hint =
        token == nil
        ? "set HF_TOKEN to a token with write access to this Space (the \"write\" role, or a fine-grained token with write access to it)"
        : "HF_TOKEN was refused for \(what): it needs write access to this Space (a token with the \"write\" role, or a fine-grained token with write access to this repository); a read token cannot restart a Space"
      throw SpaceLogsError(.notAuthorised(status: status), message: "the Hub answered \(status) for \(what) of \(space): \(hint)")
    default:
      try check(status, what: what)
    }
  }

  /// `GET /api/spaces?author=NAME` (`list_spaces`): the ids of the author's Spaces, following
  /// the `Link: <…>; rel="next"` pages as the Hub sends them. A next page must stay on the
  /// Hub's host (the token goes with it) and the walk stops after ``maximumListPages``.
  package func listSpaces(author: String) throws -> [String] {
    let encoded = author.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed.subtracting(["&", "=", "+", "#"])) ?? author
    let what = "the Spaces of \(author)"
    var answer = try get("/api/spaces?author=\(encoded)")
    var ids: [String] = []
    var seen: Set<String> = []
    for _ in 0..<HubClient.maximumListPages {
      try check(answer.status, what: what)
      guard let list = try? JSONSerialization.jsonObject(with: answer.body) as? [[String: Any]] else {
        throw SpaceLogsError(.network, message: "the Hub answered the list of \(author)'s Spaces with something that is not a JSON list")
      }
      ids += list.compactMap { $0["id"] as? String }
      guard let next = answer.nextPage, seen.insert(next).inserted else { return ids }
      guard let url = URL(string: next, relativeTo: endpoint)?.absoluteURL, url.host == endpoint.host, url.scheme == endpoint.scheme,
        url.port == endpoint.port
      else {
        throw SpaceLogsError(.network, message: "the Hub sent the next page of \(what) to another host; not following it")
      }
      answer = try get(url: url, path: url.path)
    }
    return ids
  }

  /// Pages of a listing read at most: a guard against a listing whose pages never end.
  package static let maximumListPages = 100
}

private final class PostBox: @unchecked Sendable {
  // SAFETY: written once before the semaphore is signalled, read after it.
  private let lock = NSLock()
  private var value: (Data?, Int, (any Error)?) = (nil, 0, nil)
  func set(_ value: (Data?, Int, (any Error)?)) { lock.withLock { self.value = value } }
  func get() -> (Data?, Int, (any Error)?) { lock.withLock { value } }
}
