public import Foundation
import SpaceHistory
public import SpaceTriage

/// `space-triage doctor`: reads a whole Space (remote through the Hub, or a local clone), runs
/// the checks, classifies the logs and merges everything into one ``DoctorReport``.
public enum Doctor {
  /// Reads `space` (`OWNER/NAME`) from the Hub at `endpoint`.
  ///
  /// GET only: the Space (`/api/spaces/{id}`), its runtime, a snapshot of its build and run
  /// logs, README.md, requirements.txt (and its `-r` includes), pre-requirements.txt,
  /// packages.txt, Dockerfile and the app file through `resolve/main`, its variables and secret
  /// names when the token may list them.
  ///
  /// - Throws: ``SpaceLogsError`` (404 → not found, 401/403 → not authorised, network).
  public static func remote(
    space: String, endpoint: URL, token: String?, catalog: CompiledCatalog, logWait: Double, now: Date = Date()
  ) throws -> DoctorReport {
    let hub = HubClient(endpoint: endpoint, space: space, token: token)
    let info = try hub.json("/api/spaces/\(space)", what: "the Space") as? [String: Any] ?? [:]
    // The logs are read while the files are fetched.
    let logs = LogBox()
    let logsDone = DispatchSemaphore(value: 0)
    Thread {
      logs.set(Result { try LogSnapshot.read(endpoint: endpoint, space: space, token: token, wait: logWait) })
      logsDone.signal()
    }.start()

    var snapshot = SpaceSnapshot(space: space)
    snapshot.hubSDK = info["sdk"] as? String
    snapshot.isPrivate = info["private"] as? Bool
    if let siblings = info["siblings"] as? [[String: Any]] {
      snapshot.repoFiles = Set(siblings.compactMap { $0["rfilename"] as? String })
    }
    snapshot.runtime =
      SpaceRuntimeInfo(json: try hub.json("/api/spaces/\(space)/runtime", what: "the runtime"))
      ?? SpaceRuntimeInfo(json: info["runtime"])
    if snapshot.runtime?.errorMessage == nil, let infoRuntime = SpaceRuntimeInfo(json: info["runtime"]), let message = infoRuntime.errorMessage {
      snapshot.runtime?.errorMessage = message
    }
    if let modified = info["lastModified"] as? String { snapshot.lastBuild = LogSnapshot.parseTime(modified) }

    // Files.
    let cardData = info["cardData"] as? [String: Any]
    var wanted = SpaceSnapshot.configFiles
    let sdk = (cardData?["sdk"] as? String ?? snapshot.hubSDK)?.lowercased()
    if sdk != "docker" { wanted.append(cardData?["app_file"] as? String ?? (sdk == "static" ? "index.html" : "app.py")) }
    for path in wanted { try fetch(path, hub: hub, into: &snapshot) }
    // The app file as README.md says, if the card data did not.
    if let readme = snapshot.files["README.md"], case .success(let matter) = FrontMatter.parse(readme),
      let appFile = SpaceChecks.appFile(sdk: matter["sdk"]?.lowercased() ?? sdk, frontMatter: matter), snapshot.files[appFile] == nil
    {
      try fetch(appFile, hub: hub, into: &snapshot)
    }
    // `-r` includes, a few levels deep.
    for _ in 0..<3 {
      let files = snapshot.files
      let parser = RequirementsParser(load: { files[$0] })
      let missing = (parser.parse("requirements.txt").missingIncludes + parser.parse("pre-requirements.txt").missingIncludes)
        .map { RequirementsParser.join(directoryOf: $0.file, $0.path) }
        .filter { !snapshot.triedFiles.contains($0) }
      if missing.isEmpty { break }
      for path in missing { try fetch(path, hub: hub, into: &snapshot) }
    }

    // Variables and secret names (listing them needs a token with write access).
    snapshot.variables = try names(hub, "/api/spaces/\(space)/variables", what: "variables", notes: &snapshot.notes)
    snapshot.secrets = try names(hub, "/api/spaces/\(space)/secrets", what: "secrets", notes: &snapshot.notes)

    logsDone.wait()
    let logSnapshot = try logs.get()
    snapshot.notes += logSnapshot.notes
    if let queued = logSnapshot.lastBuildQueued { snapshot.lastBuild = queued }

    // The logs (and the runtime's error message, the platform's own summary) as one input.
    var input = logSnapshot.bytes
    var errorLine = false
    if let runtime = snapshot.runtime, runtime.isError, let message = runtime.errorMessage {
      input += Array(message.split(whereSeparator: \.isNewline).joined(separator: " ").utf8) + [0x0A]
      errorLine = true
    }
    let classifier = Classifier(catalog: catalog)
    let report = try classifier.classify(MemorySource(input), name: "\(space) build+run logs")
    let launchTimedOut =
      snapshot.runtime?.errorMessage?.localizedCaseInsensitiveContains("launch timed out") == true
      || report.findings.contains { $0.id == "startup.launch-timeout" }
    let checks = SpaceChecks(snapshot: snapshot, launchTimedOut: launchTimedOut, now: now)
    var result = DoctorReport(
      snapshot: snapshot, checks: checks, logs: report,
      logEvents: (logSnapshot.buildEvents, logSnapshot.runEvents), errorMessageLine: errorLine ? report.lines : nil)
    result.attemptIndex = AttemptIndex(bytes: input)
    return result
  }

  private static func fetch(_ path: String, hub: HubClient, into snapshot: inout SpaceSnapshot) throws {
    guard !snapshot.triedFiles.contains(path) else { return }
    snapshot.triedFiles.insert(path)
    if let repoFiles = snapshot.repoFiles, !repoFiles.contains(path) { return }
    if let text = try hub.file(path) { snapshot.files[path] = text }
  }

  private static func names(_ hub: HubClient, _ path: String, what: String, notes: inout [String]) throws -> Set<String>? {
    let answer = try hub.get(path)
    switch answer.status {
    case 200..<300:
      guard let object = try? JSONSerialization.jsonObject(with: answer.body) as? [String: Any] else { return nil }
      return Set(object.keys)
    case 401, 403, 404:
      notes.append("the Space's \(what) could not be listed (HTTP \(answer.status)): listing them needs a token with write access to the Space")
      return nil
    default:
      notes.append("the Space's \(what) could not be listed (HTTP \(answer.status))")
      return nil
    }
  }

  /// Reads a local clone of a Space repository (offline).
  ///
  /// - Throws: ``SpaceLogsError`` `.notFound` when `directory` is not a folder.
  public static func local(directory: String, now: Date = Date()) throws -> DoctorReport {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
      throw SpaceLogsError(.notFound, message: "\(directory) is not a folder")
    }
    let root = URL(fileURLWithPath: directory).standardizedFileURL
    var snapshot = SpaceSnapshot(directory: directory)
    var repoFiles: Set<String> = []
    if let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey]) {
      let prefix = root.path.hasSuffix("/") ? root.path : root.path + "/"
      for case let url as URL in walker {
        let path = url.standardizedFileURL.path
        guard path.hasPrefix(prefix) else { continue }
        let relative = String(path.dropFirst(prefix.count))
        if relative == ".git" || relative.hasPrefix(".git/") {
          walker.skipDescendants()
          continue
        }
        if (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true { repoFiles.insert(relative) }
        if repoFiles.count > 50_000 { break }
      }
    }
    snapshot.repoFiles = repoFiles
    func read(_ path: String) {
      guard repoFiles.contains(path), snapshot.files[path] == nil,
        let data = FileManager.default.contents(atPath: root.appendingPathComponent(path).path), data.count < 8 << 20
      else { return }
      snapshot.files[path] = String(decoding: data, as: UTF8.self)
    }
    for path in SpaceSnapshot.configFiles { read(path) }
    var sdk: String?
    var matter: FrontMatter?
    if let readme = snapshot.files["README.md"], case .success(let parsed) = FrontMatter.parse(readme) {
      matter = parsed
      sdk = parsed["sdk"]?.lowercased()
    }
    if let appFile = SpaceChecks.appFile(sdk: sdk, frontMatter: matter) { read(appFile) }
    for path in repoFiles where path.hasSuffix(".txt") && !path.contains("/") { read(path) }  // -r includes
    for path in repoFiles where path.hasSuffix(".txt") && path.contains("/") && path.split(separator: "/").count <= 3 { read(path) }
    return DoctorReport(snapshot: snapshot, checks: SpaceChecks(snapshot: snapshot, now: now), logs: nil, logEvents: nil, errorMessageLine: nil)
  }

  private final class LogBox: @unchecked Sendable {
    // SAFETY: set once before a semaphore is signalled, read after it.
    private let lock = NSLock()
    private var result: Result<LogSnapshot, any Error>?
    func set(_ value: Result<LogSnapshot, any Error>) { lock.withLock { result = value } }
    func get() throws -> LogSnapshot {
      guard let result = lock.withLock({ result }) else { throw SpaceLogsError(.network, message: "the logs were not read") }
      return try result.get()
    }
  }
}
