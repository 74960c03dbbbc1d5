import Foundation
import SpaceTriage

/// Shared test data: a small catalog (the tests do not depend on the bundled one) and
/// recorded logs API streams.
enum LiveFixtures {
  /// A catalog with stage markers and a few failures of each class.
  static let catalogYAML = #"""
    schema: 1
    signatures:
      - id: build.pip-no-matching-distribution
        title: No matching distribution for a pinned package
        stage: build
        class: persistent
        priority: 80
        pattern: 'No matching distribution found for (?<package>[^\s]+)'
        advice: [{action: pin-dependencies, text: 'Pin `{package}` to a version that exists.'}]
        must-match: ['ERROR: No matching distribution found for torch==2.9.9']
        must-not-match: ['x']
      - id: build.stuck-queued
        title: Build stuck in the queue
        stage: build
        class: transient
        pattern: 'Space is still building\. Please wait'
        advice: [{action: restart-once, text: 'No build progress for {seconds} s: restart once.'}]
        must-match: ['Space is still building. Please wait...']
        must-not-match: ['x']
      - id: scheduling.no-capacity
        title: No hardware capacity
        stage: scheduling
        class: transient
        pattern: 'Scheduling failure: not enough hardware capacity'
        advice: [{action: retry-once, text: Retry once.}]
        must-match: ['Scheduling failure: not enough hardware capacity']
        must-not-match: ['x']
      - id: stage.app
        title: App banner
        stage: startup
        class: info
        effect: app-attempt
        pattern: '===== Application Startup'
        must-match: ['===== Application Startup at 2026-01-01 00:00:00 =====']
        must-not-match: ['x']
      - id: stage.build
        title: Build banner
        stage: build
        class: info
        effect: build-attempt
        pattern: '===== Build Queued at'
        must-match: ['===== Build Queued at 2026-01-01 00:00:00 / Commit SHA: abc1234 =====']
        must-not-match: ['x']
      - id: stage.pushing
        title: Pushing image
        stage: build
        class: info
        effect: build-complete
        pattern: '^--> Pushing image'
        anchored: true
        must-match: ['--> Pushing image']
        must-not-match: ['x']
      - id: stage.running
        title: Running
        stage: running
        class: info
        pattern: 'Running on local URL'
        must-match: ['* Running on local URL:  http://0.0.0.0:7860']
        must-not-match: ['x']
      - id: zerogpu.no-cuda-gpus
        title: No CUDA GPUs are available (ZeroGPU)
        stage: running
        class: transient
        priority: 70
        pattern: 'RuntimeError: No CUDA GPUs are available'
        advice: [{action: retry-once, text: Retry the request once.}]
        must-match: ['RuntimeError: No CUDA GPUs are available']
        must-not-match: ['x']
    """#

  /// The fixture catalog, compiled.
  static let catalog: CompiledCatalog? = {
    let (signatures, problems) = CatalogLoader.parse(yaml: catalogYAML, file: "live.yaml")
    guard problems.isEmpty else { return nil }
    return try? CompiledCatalog(Catalog(signatures: signatures))
  }()

  /// A folder holding the fixture catalog, for `--no-builtin --patterns DIR`.
  static let catalogDirectory: String = {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("st-live-catalog-\(getpid())")
    try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    try? catalogYAML.write(to: directory.appendingPathComponent("live.yaml"), atomically: true, encoding: .utf8)
    return directory.path
  }()

  /// The catalog options for the CLI.
  static var catalogArguments: [String] { ["--no-builtin", "--patterns", catalogDirectory] }

  /// A token the server wants; it must never be printed.
  static let token = "hf_LiveTestToken0123456789abcdefXYZ"

  /// A recorded run log: ZeroGPU fails, the Space restarts, reaches running, fails the same way.
  static let runLines = [
    "===== Application Startup at 2026-04-15 10:00:00 =====\n",
    "\n",
    "ZeroGPU tensors packing: 3.27GB [00:05, 611MB/s]\n",
    "* Running on local URL:  http://0.0.0.0:7860\n",
    "Traceback (most recent call last):\n",
    "RuntimeError: No CUDA GPUs are available\n",
    "===== Application Startup at 2026-04-15 10:05:00 =====\n",
    "\n",
    "Loading model...\n",
    "* Running on local URL:  http://0.0.0.0:7860\n",
    "RuntimeError: No CUDA GPUs are available\n",
  ]

  /// A recorded build log that completes.
  static let buildLines = [
    "===== Build Queued at 2026-04-15 09:58:01 / Commit SHA: e9e3061 =====\n",
    "\n",
    "--> FROM docker.io/library/python:3.10@sha256:0f3e0b3b0a1c2d3e4f5a6b7c8d9e0f1a\n",
    "DONE 0.0s\n",
    "--> RUN pip install --no-cache-dir -r /tmp/requirements.txt\n",
    "Collecting gradio==5.49.1\n",
    "--> Pushing image\n",
    "DONE 1.0s\n",
  ]

  /// `lines` as SSE chunks the way the API sends them: one `data: {…}` event per log line with
  /// a timestamp, a keep-alive (`data:` with nothing) and a `:` comment every few events.
  static func sseChunks(_ lines: [String]) -> [String] {
    var chunks: [String] = [": connected\n\n"]
    for (index, line) in lines.enumerated() {
      chunks.append("data: \(eventJSON(line, second: index))\n\n")
      if index % 3 == 2 { chunks.append("data: \n\n") }
      if index % 4 == 3 { chunks.append(": keep-alive\n\n") }
    }
    return chunks
  }

  /// `{"data": line, "timestamp": …}` with JSON escapes.
  static func eventJSON(_ line: String, second: Int) -> String {
    let data = try? JSONSerialization.data(withJSONObject: ["data": line, "timestamp": String(format: "2026-04-15T10:00:%02d.000Z", second % 60)], options: [.sortedKeys])
    return data.map { String(decoding: $0, as: UTF8.self) } ?? "{}"
  }

  /// The server of the recorded logs: run and build logs of `acme/zero-demo` (the first
  /// connection of each drops after `dropAfter` events), 401 for `acme/private`, 403 for
  /// `acme/forbidden`, 404 for everything else. The token must be sent as a bearer token.
  static func logsServer(dropAfter: Int = 5, dropEvery: Bool = false) throws -> LoopbackServer {
    try LoopbackServer { request in
      let base = "/api/spaces/acme/zero-demo/logs/"
      guard request.path.hasPrefix(base) else {
        if request.path.hasPrefix("/api/spaces/acme/private/") { return .status(401, "Invalid credentials") }
        if request.path.hasPrefix("/api/spaces/acme/forbidden/") { return .status(403, "Forbidden") }
        return .status(404, "Repository not found")
      }
      guard request.authorization == "Bearer \(token)" else { return .status(401, "Invalid credentials") }
      let lines = request.path.hasSuffix("/build") ? buildLines : runLines
      let chunks = sseChunks(lines)
      if request.attempt == 1 || dropEvery {
        // Cut after `dropAfter` events, in the middle of the next event's line.
        var kept: [String] = []
        var events = 0
        for chunk in chunks {
          if chunk.hasPrefix("data: {") {
            if events == dropAfter {
              kept.append(String(chunk.prefix(chunk.count / 2)))
              break
            }
            events += 1
          }
          kept.append(chunk)
        }
        return .stream(kept, drop: true)
      }
      return .stream(chunks, drop: false)
    }
  }
}
