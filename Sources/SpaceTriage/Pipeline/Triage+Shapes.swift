internal import Foundation

/// The pieces of failure shapes in the catalog (`Patterns/catalog/shapes.yaml`), by entry id.
enum ShapeKind {
  case pythonException, pythonFrame, pythonSyntax
  case nodeError, nodeRejection, npm
  case javaException, javaCausedBy, springFailed
  case goPanic, fatalLog, rustPanic
  case execFailed, supervisorExit
  case requestHandler, exceptionIgnored
  /// A `failure-shape` entry of another catalog: its line is an exception as it stands.
  case other

  init(id: String) {
    switch id {
    case "shape.python-exception": self = .pythonException
    case "shape.python-frame": self = .pythonFrame
    case "shape.python-syntax-error": self = .pythonSyntax
    case "shape.node-error": self = .nodeError
    case "shape.node-rejection": self = .nodeRejection
    case "shape.npm-error": self = .npm
    case "shape.java-exception": self = .javaException
    case "shape.java-caused-by": self = .javaCausedBy
    case "shape.spring-failed": self = .springFailed
    case "shape.go-panic": self = .goPanic
    case "shape.fatal-log": self = .fatalLog
    case "shape.rust-panic": self = .rustPanic
    case "shape.exec-failed": self = .execFailed
    case "shape.supervisor-exit": self = .supervisorExit
    case "shape.request-handler": self = .requestHandler
    case "shape.exception-ignored": self = .exceptionIgnored
    default: self = .other
    }
  }
}

/// One failure read from its shape, before it is named.
struct ShapeFailure {
  var type: String
  var message: String
  /// The raising frame as printed (a Python `File "…"` line, a Node `at …` line, a Rust
  /// `src/main.rs:5:5`), if the shape shows one.
  var frame: String?
  var line: Int
  var attempt: Int
  var text: String
  var context: [String] = []
  /// A request handler raised it (a frame or line of a web framework's handler).
  var inRequest = false
  /// A process-level report (npm, a supervisor): it only says that the app exited, so an
  /// exception of the same attempt is the better evidence.
  var weak = false
  /// A Node error, which a listening Express or Fastify app prints for a failed request.
  var isNode = false
  /// A Python exception, which a serving app may log and survive.
  var isPython = false
  /// The header line of its Python traceback.
  var tracebackStart: Int?
  /// The entry that matched a line whose type, message and text are not written yet (see
  /// ``Triage/unwrittenFailure(_:kind:text:line:attempt:)``); its bytes are in `bytes`.
  var unwritten: (index: Int, kind: ShapeKind)?
  var bytes: [UInt8] = []
}

/// What the failure-shape reader remembers, in bounded memory: a few short strings, none per line.
struct ShapeState {
  /// Per catalog entry, its shape kind (`nil`: not a `failure-shape` entry).
  let kinds: [ShapeKind?]
  let appExceptionIndex: Int?
  let networkErrorIndex: Int?
  let requestErrorIndex: Int?
  let portHintIndex: Int?
  let wrongPortIndex: Int?
  let launchTimeoutIndex: Int?

  /// The line where two shape entries matched last (one failure per line).
  var lastShapeLine = -1
  /// A Node error line waiting for its first `    at` frame on the next line.
  var pendingNode: ShapeFailure?
  /// A Python exception line printed without its traceback (a paste that kept only the last
  /// line, a script that prints its exception), waiting for the next line with text: an
  /// `    at` frame there makes it a Node error instead.
  var pendingBare: ShapeFailure?
  /// The entries that read a Python exception (`bare`) or a Node error without frames
  /// (`node`) on the current line: held at its end (``Triage/holdUnnamedShapes(_:line:)``).
  var unnamedOnLine: (bare: Int?, node: Int?) = (nil, nil)
  /// A `File "…", line N` line outside a traceback (the position of a SyntaxError).
  var orphanFrame: (text: String, line: Int)?
  /// The line of the last request-handler mark (an `Exception in ASGI application`, a queue
  /// frame), valid until the exception it announces is read.
  var requestMark: Int?
  /// The last repeated request error, kept as bytes, and how many repeats it stands for.
  var repeated = RepeatedException()
  /// Whether a request error was recorded: later ones take the fast path.
  var requestRecorded = false
  /// The attempt of the last request error on the fast path.
  var repeatAttempt = -1
  /// Per generic entry, the repeat that holds its evidence now, not written yet.
  var latest: [Int: ShapeFailure] = [:]
  /// The line of the last `Exception ignored in …`: the traceback after it is harmless.
  var ignoredMark: Int?
  /// What the next line with text completes (Spring's description, a Rust panic's message).
  var waitingText: ShapeFailure?
  /// A Python exception printed after the app served, without a request handler's mark: noise
  /// unless the app then crashed (an exit box, a restart).
  var afterRunning: ShapeFailure?
  /// Failures read on the current line, recorded once the line's specific entries had their say.
  var onLine: [ShapeFailure] = []
  /// The last line a specific failure entry matched.
  var lastSpecificLine = -1
  /// The attempt of the last shape failure recorded.
  var recordedAttempt = 0
  /// The last port hint of each attempt: attempt, line, port and evidence.
  var portHints: [(attempt: Int, line: Int, port: String, text: String)] = []
  /// Whether the current line is a serving line, and whether it is a port hint.
  var lineServes = false
  var lineHinted = false
  /// Attempts that announced a routable address (a serving line that is no port hint, such as
  /// werkzeug's `Running on all addresses (0.0.0.0)` beside its `127.0.0.1` line, or an access
  /// log): their port hints are no evidence of a wrong port.
  var routableAttempts: [Int] = []
  /// The entries that only mark `running` (serving lines, access logs), and whether they are
  /// muted: once this attempt runs (and its address is known to be routable), they can change
  /// nothing, and access logs are often most of a running Space's lines.
  let runningMarkers: [Int]
  var runningMarkersMuted = false

  init(catalog: CompiledCatalog) {
    kinds = catalog.signatures.map { $0.signatureClass == .info && $0.effect == .failureShape ? ShapeKind(id: $0.id) : nil }
    appExceptionIndex = catalog.index(of: Triage.appExceptionID)
    networkErrorIndex = catalog.index(of: Triage.networkErrorID)
    requestErrorIndex = catalog.index(of: Triage.requestErrorID)
    portHintIndex = catalog.index(of: Triage.portHintID)
    wrongPortIndex = catalog.index(of: Triage.wrongPortID)
    launchTimeoutIndex = catalog.index(of: "startup.launch-timeout")
    runningMarkers = catalog.runningMarkers
  }

}

/// A repeated Python exception kept as bytes in reused buffers: no allocation per repeat.
struct RepeatedException {
  var line = 0
  var attempt = 0
  var count = 0
  var typeEnd = 0
  var text: [UInt8] = []
  var traceback = KeptTraceback()

  mutating func keep(_ bytes: UnsafeRawBufferPointer, line: Int, typeEnd: Int, traceback tracker: TracebackTracker) {
    self.line = line
    self.typeEnd = typeEnd
    text.replace(with: bytes)
    tracker.keep(into: &traceback)
  }
}

extension Triage {
  /// A failure that no entry names ended the app before it served.
  package static let appExceptionID = "startup.app-exception"
  /// Such a failure was a network call to an outside host.
  package static let networkErrorID = "startup.network-error"
  /// The app served, and a request handler raised.
  package static let requestErrorID = "runtime.request-error"
  /// A server announced a loopback address or a port other than 7860.
  package static let portHintID = "startup.port-hint"
  /// The port hint, promoted when its attempt timed out or restarted with no other failure.
  package static let wrongPortID = "startup.wrong-port"

  // MARK: - Reading shapes

  /// A `failure-shape` entry matched `text` (only lines with one of its literals get here).
  func shapeMatched(_ index: Int, text: UnsafeRawBufferPointer, line: Int) {
    guard let kind = shapes.kinds[index] else { return }
    let attempt = tracker.currentAttempt
    switch kind {
    case .pythonFrame:
      shapes.orphanFrame = (evidence(text), line)
      return
    case .requestHandler:
      shapes.requestMark = line
      return
    case .exceptionIgnored:
      shapes.ignoredMark = line
      return
    default: break
    }
    // Shapes inside a build are the build's own business (its step fails with its own entry).
    guard tracker.stage != .build, shapes.lastShapeLine != line else { return }
    // A Python exception line also looks like a JavaScript error: the traceback decides. A
    // traceback's own exception line is read when the traceback closes. Both return before any
    // string is written.
    if (kind == .nodeError || kind == .pythonException) && books.traceback.isOpen { return }
    if kind == .pythonException || (kind == .nodeError && !matcher.sets("uncaught", of: index, in: text)) {
      // Waits for the end of the line, where a specific entry most often names it (nothing is
      // kept then), and for the next line with text (see ``holdUnnamedShapes(_:line:)``).
      if kind == .pythonException { shapes.unnamedOnLine.bare = index } else { shapes.unnamedOnLine.node = index }
      shapeOnLine.pointee = true
      return
    }
    let captures = matcher.captures(of: index, in: text)
    func capture(_ names: String...) -> String {
      for name in names { if let value = captures[name], !value.isEmpty { return value } }
      return ""
    }
    var failure = ShapeFailure(type: capture("type"), message: capture("message"), line: line, attempt: attempt, text: evidence(text))
    switch kind {
    case .pythonSyntax:
      if books.traceback.isOpen && books.traceback.frameCount > 0 {
        failure.frame = books.traceback.raisingFrame()
        failure.context = books.traceback.context(forFailureAt: line, text: text)
      } else if let orphan = shapes.orphanFrame, line - orphan.line <= 6 {
        failure.frame = orphan.text
      }
      failure.isPython = true
    case .nodeError:
      // Uncaught: a failure as it stands (otherwise only if the next line with text is an
      // `    at …` frame: see above).
      failure.isNode = true
      if let separator = failure.text.range(of: ": ") { failure.message = String(failure.text[separator.upperBound...]) }
    case .nodeRejection:
      failure.type = "UnhandledPromiseRejection"
      failure.message = capture("message", "rejection")
      failure.isNode = true
    case .npm:
      failure.type = "npm ERR!"
      failure.weak = true
    case .javaException, .javaCausedBy:
      break
    case .springFailed:
      failure.type = "APPLICATION FAILED TO START"
      if captures["description"] != nil {
        shapes.waitingText = failure
        books.waitForNextText()
        return
      }
    case .goPanic:
      failure.type = captures["fatal"] != nil ? "fatal error" : "panic"
      failure.message = capture("message", "fatal")
    case .fatalLog:
      failure.type = "FATAL"
      failure.message = capture("message", "fatal")
    case .rustPanic:
      failure.type = "panic in thread '\(capture("thread"))'"
      failure.frame = capture("frame")
      if failure.message.isEmpty {
        // Rust 1.73+: the message is on the next line.
        shapes.waitingText = failure
        books.waitForNextText()
        return
      }
    case .execFailed:
      let caused = capture("caused")
      let missing = capture("nofile")
      if !caused.isEmpty {
        failure.type = caused
        failure.message = "the entrypoint could not be run"
      } else if !missing.isEmpty {
        failure.type = "no such file or directory"
        failure.message = "`\(missing)`, or the interpreter its `#!` line names (CRLF line endings turn `sh` into `sh\\r`)"
      } else {
        let command = capture("path", "command", "shellcmd", "scriptcmd", "envcmd")
        failure.type = captures["path"] != nil ? "exec format error" : "command not found"
        failure.message = command.isEmpty ? failure.text : "`\(command)`"
      }
    case .supervisorExit:
      let program = capture("program", "gaveup")
      failure.type = "supervisor"
      failure.message = captures["status"].map { "`\(program)` exited with status \($0)" } ?? "`\(program)` gave up restarting"
      failure.weak = true
    case .other:
      if failure.type.isEmpty { failure.type = "error" }
      if failure.message.isEmpty { failure.message = failure.text }
    case .pythonFrame, .requestHandler, .exceptionIgnored, .pythonException:
      return
    }
    found(failure)
  }

  /// The line that ends an open Python traceback: `Type: message` (or a bare `Type`) is the
  /// exception; anything else (a chained traceback's "During handling …", a logger's line) is not.
  func pythonExceptionLine(_ text: UnsafeRawBufferPointer, line: Int) {
    if let ignored = shapes.ignoredMark, ignored < books.traceback.startLine, books.traceback.startLine - ignored <= 2 {
      shapes.ignoredMark = nil
      return
    }
    // A specific entry matched this line or this traceback: it names the failure.
    let specific = shapes.lastSpecificLine
    guard specific != line, specific < books.traceback.startLine || specific > line else { return }
    guard tracker.stage != .build, shapes.lastShapeLine != line, let typeEnd = Triage.pythonExceptionTypeEnd(text) else { return }
    if shapes.requestMark != nil || books.traceback.sawRequestHandler, shapes.requestRecorded, onEvent == nil,
      let index = shapes.requestErrorIndex
    {
      // A request error again (one per failed request): count it and keep its bytes in reused
      // buffers; the finding's strings are written when a report is made.
      shapes.requestMark = nil
      shapes.lastShapeLine = line
      let attempt = tracker.currentAttempt
      if attempt != shapes.repeatAttempt {
        // The first one of this attempt: it shows the app served, and the attempt is listed.
        shapes.repeatAttempt = attempt
        let before = tracker.stageChanges
        tracker.observeFailure(stage: .running, line: line)
        announceStages(since: before)
        if let finding = findings[index], !finding.occurs(inAttempt: attempt), finding.attempts.count < Triage.maxAttemptsPerFinding {
          findings[index]!.attempts.append(attempt)
        }
      }
      shapes.recordedAttempt = attempt
      shapes.repeated.count &+= 1
      shapes.repeated.keep(text, line: line, typeEnd: typeEnd, traceback: books.traceback)
      shapes.repeated.attempt = attempt
      return
    }
    var failure = readPythonException(text, typeEnd: typeEnd, line: line)
    failure.frame = books.traceback.raisingFrame()
    failure.context = books.traceback.context(forFailureAt: line, text: text)
    failure.inRequest = takeRequestMark(line) || books.traceback.sawRequestHandler
    failure.tracebackStart = books.traceback.startLine
    found(failure)
  }

  /// The type and message of a Python exception line.
  private func readPythonException(_ text: UnsafeRawBufferPointer, typeEnd: Int, line: Int) -> ShapeFailure {
    let full = evidence(text)
    let type = String(decoding: UnsafeRawBufferPointer(rebasing: text[0..<typeEnd]), as: UTF8.self)
    var message = ""
    if let colon = full.firstIndex(of: ":") {
      message = String(full[full.index(after: colon)...].drop { $0 == " " })
    }
    var failure = ShapeFailure(type: type, message: message, line: line, attempt: tracker.currentAttempt, text: full)
    failure.isPython = true
    return failure
  }

  /// The failure a repeat kept as bytes (see ``RepeatedException``).
  private func repeatedFailure() -> (index: Int, failure: ShapeFailure)? {
    let kept = shapes.repeated
    guard kept.line > 0, let index = shapes.requestErrorIndex else { return nil }
    return kept.text.withUnsafeBytes { text in
      var failure = readPythonException(text, typeEnd: kept.typeEnd, line: kept.line)
      failure.attempt = kept.attempt
      failure.frame = String(decoding: kept.traceback.raising, as: UTF8.self)
      failure.context = kept.traceback.context
      failure.inRequest = true
      failure.tracebackStart = kept.traceback.start
      return (index, failure)
    }
  }

  /// The exception type at the start of `text` (a dotted name, then `:` or the end of the line)
  /// if it looks like one: its last part starts with a capital or names an error.
  static func pythonExceptionType(_ text: UnsafeRawBufferPointer) -> String? {
    pythonExceptionTypeEnd(text).map { String(decoding: UnsafeRawBufferPointer(rebasing: text[0..<$0]), as: UTF8.self) }
  }

  /// Where the type of ``pythonExceptionType(_:)`` ends, read from the bytes alone.
  static func pythonExceptionTypeEnd(_ text: UnsafeRawBufferPointer) -> Int? {
    var end = 0
    var lastPart = 0
    var hasLower = false
    while end < text.count {
      let byte = text[end]
      let lower = byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")
      let upper = byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z")
      let digit = byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
      if byte == UInt8(ascii: ".") {
        lastPart = end + 1
        hasLower = false
      } else if lower {
        hasLower = true
      } else if !(upper || digit || byte == UInt8(ascii: "_")) {
        break
      }
      end += 1
    }
    guard end > 0, end < 200, lastPart < end, hasLower else { return nil }  // not a log level (`INFO:`)
    var rest = end
    while rest < text.count && (text[rest] == 0x20 || text[rest] == 0x0D) { rest += 1 }
    guard rest == text.count || text[end] == UInt8(ascii: ":") else { return nil }
    let last = UnsafeRawBufferPointer(rebasing: text[lastPart..<end])
    let first = last[0]
    guard (first >= UInt8(ascii: "A") && first <= UInt8(ascii: "Z")) || endsWith(last, "rror") || equals(last, "timeout") else {
      return nil
    }
    // Not failures of the app: an interrupted or exiting process, warnings, a client that went away.
    for harmless: StaticString in [
      "KeyboardInterrupt", "SystemExit", "GeneratorExit", "BrokenPipeError", "ClientDisconnect", "ClientDisconnected",
    ] where equals(last, harmless) { return nil }
    if endsWith(last, "Warning") { return nil }
    return end
  }

  private static func equals(_ bytes: UnsafeRawBufferPointer, _ word: StaticString) -> Bool {
    bytes.count == word.utf8CodeUnitCount && endsWith(bytes, word)
  }

  private static func endsWith(_ bytes: UnsafeRawBufferPointer, _ word: StaticString) -> Bool {
    let count = word.utf8CodeUnitCount
    guard bytes.count >= count else { return false }
    let start = bytes.count - count
    for offset in 0..<count where bytes[start + offset] != word.utf8Start[offset] { return false }
    return true
  }

  /// The line waited for after a Spring `Description:` or a Rust panic arrived.
  func shapeTextArrived(_ text: UnsafeRawBufferPointer, line: Int) {
    if let bare = shapes.pendingBare {
      shapes.pendingBare = nil
      // Followed by a JavaScript frame it is a Node error (the Node shape reads it).
      if !Triage.isNodeFrame(text) { found(bare) }
    }
    if var pending = shapes.pendingNode {
      shapes.pendingNode = nil
      if Triage.isNodeFrame(text) {
        pending.frame = evidence(text)
        found(pending)
      }
      if shapes.waitingText != nil { books.waitForNextText() }
      return
    }
    guard var failure = shapes.waitingText else { return }
    shapes.waitingText = nil
    var message = evidence(text)
    while message.first == " " || message.first == "\t" { message.removeFirst() }
    failure.message = message
    failure.line = line
    failure.text = evidence(text)
    found(failure)
  }

  /// Whether `text` is a JavaScript stack frame: `    at …` ending in `:line:column` (or
  /// `:line:column)`), or an `(index N)` / `(<anonymous>)` frame.
  static func isNodeFrame(_ text: UnsafeRawBufferPointer) -> Bool {
    let prefix: StaticString = "    at "
    guard text.count > 9, (0..<7).allSatisfy({ text[$0] == prefix.utf8Start[$0] }) else { return false }
    var end = text.count
    while end > 7 && (text[end - 1] == 0x20 || text[end - 1] == 0x0D) { end -= 1 }
    if text[end - 1] == UInt8(ascii: ")") { end -= 1 }
    var digits = 0
    var colons = 0
    var at = end - 1
    while at > 7 && colons < 2 {
      let byte = text[at]
      if byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") {
        digits += 1
      } else if byte == UInt8(ascii: ":") && digits > 0 {
        colons += 1
        digits = 0
      } else {
        break
      }
      at -= 1
    }
    if colons == 2 || (colons == 1 && digits > 0) { return true }
    let line = String(decoding: text, as: UTF8.self)
    return line.hasSuffix("(<anonymous>)") || line.contains("(index ")
  }

  /// Whether a request handler's mark announced the exception read on `line`.
  private func takeRequestMark(_ line: Int) -> Bool {
    defer { shapes.requestMark = nil }
    return shapes.requestMark != nil
  }

  /// A failure read from its shape: named and recorded at the end of the line, unless a
  /// specific entry matched its line (or its traceback): that entry says more.
  private func found(_ failure: ShapeFailure) {
    shapes.lastShapeLine = failure.line
    shapes.onLine.append(failure)
    shapeOnLine.pointee = true
  }

  /// The end of a line where a Python exception or a Node error without its frames matched:
  /// unless a specific entry named the line, the failure waits for the next line with text,
  /// which most often drops it (a Node frame, another line): its strings wait too.
  func holdUnnamedShapes(_ text: UnsafeRawBufferPointer, line: Int) {
    let unnamed = shapes.unnamedOnLine
    guard unnamed.bare != nil || unnamed.node != nil else { return }
    shapes.unnamedOnLine = (nil, nil)
    guard shapes.lastSpecificLine != line else { return }
    let attempt = tracker.currentAttempt
    if let index = unnamed.bare {
      shapes.pendingBare = unwrittenFailure(index, kind: .pythonException, text: text, line: line, attempt: attempt)
    }
    if let index = unnamed.node {
      shapes.pendingNode = unwrittenFailure(index, kind: .nodeError, text: text, line: line, attempt: attempt)
    }
    books.waitForNextText()
  }

  /// Records the failures read on this line (see ``found(_:)``).
  func commitShapes() {
    shapeOnLine.pointee = false
    let pending = shapes.onLine
    shapes.onLine.removeAll()
    for failure in pending {
      let specific = shapes.lastSpecificLine
      if specific == failure.line || (failure.tracebackStart.map { specific >= $0 && specific <= failure.line } ?? false) { continue }
      name(failure)
    }
  }

  /// Names a failure read from its shape and records it (its strings are written when it is
  /// recorded, or when its name depends on them).
  private func name(_ failure: ShapeFailure) {
    if failure.inRequest {
      record(failure, as: shapes.requestErrorIndex)
      return
    }
    if tracker.reachedRunning {
      if failure.isNode {
        // An Express or Fastify app that listens prints a failed request's stack.
        record(failure, as: shapes.requestErrorIndex)
        return
      }
      if failure.isPython {
        // A Python traceback after the app served: a crash only if the app then went down.
        shapes.afterRunning = failure
        return
      }
    }
    let failure = written(failure)
    record(failure, as: Triage.isNetworkFailure(failure) ? shapes.networkErrorIndex : shapes.appExceptionIndex)
  }

  /// A new attempt started: a Python exception the previous one printed after serving was
  /// the crash that ended it.
  func attemptMayHaveEnded() {
    if let pending = shapes.afterRunning, pending.attempt != tracker.currentAttempt {
      shapes.afterRunning = nil
      record(pending, as: shapes.appExceptionIndex)
    }
    shapes.requestMark = nil
    shapes.pendingNode = nil
    if let bare = shapes.pendingBare, bare.attempt != tracker.currentAttempt {
      shapes.pendingBare = nil
      found(bare)
    }
  }

  /// End of input: a traceback the log cuts off, a pending post-serving exception with a crash
  /// box, the port hint's promotion.
  func finishShapes() {
    applyRepeats()
    let attempt = tracker.currentAttempt
    if let bare = shapes.pendingBare {
      // The log ends on it: nothing after it says otherwise.
      shapes.pendingBare = nil
      found(bare)
    }
    if let pending = shapes.afterRunning {
      shapes.afterRunning = nil
      let crashed = findings.values.contains {
        $0.signatureClass.isFailure && ($0.isBoxed || $0.occurs(inAttempt: pending.attempt)) && $0.id != Triage.requestErrorID
      }
      if crashed || pending.attempt != attempt { record(pending, as: shapes.appExceptionIndex) }
    }
    if books.traceback.isOpen, books.traceback.frameCount > 0, tracker.stage != .build, let frame = books.traceback.raisingFrame() {
      // The log ends inside a traceback (a cut paste): its frames are all there is.
      var failure = ShapeFailure(
        type: "an exception", message: "the log ends inside its traceback", frame: frame,
        line: books.traceback.startLine,
        attempt: attempt, text: frame.trimmingLeadingBlanks())
      failure.inRequest = shapes.requestMark != nil
      failure.tracebackStart = books.traceback.startLine
      failure.inRequest = failure.inRequest || books.traceback.sawRequestHandler
      if failure.inRequest || !tracker.reachedRunning { found(failure) }
    }
    if shapeOnLine.pointee { commitShapes() }
    dropShapesExplainedLater()
    addWrongPortFinding()
  }

  /// A specific entry that matched later in the same attempt (a multi-line message's second
  /// line, the last of chained tracebacks) names the failure better: the generic finding goes.
  private func dropShapesExplainedLater() {
    let generic = [shapes.appExceptionIndex, shapes.networkErrorIndex, shapes.requestErrorIndex].compactMap { $0 }
    for index in generic {
      guard let shape = findings[index] else { continue }
      let explained = findings.contains { key, finding in
        !generic.contains(key) && finding.signatureClass.isFailure && finding.signatureClass != .failure
          && finding.line > shape.line && finding.attempts.contains(where: shape.occurs(inAttempt:))
      }
      if explained {
        findings[index] = nil
        findingOrder.removeAll { $0 == index }
      }
    }
  }

  // MARK: - Naming

  /// Whether the exception is a network failure reaching a host outside the Space (transient):
  /// timeouts, DNS, dropped connections, 5xx answers. A refused connection to the Space's own
  /// localhost service (or any refusal that names no outside host) is not.
  static func isNetworkFailure(_ failure: ShapeFailure) -> Bool {
    let lower = Array((failure.type + ": " + failure.message).lowercased().utf8)
    func has(_ needle: String) -> Bool { contains(lower, Array(needle.utf8)) }
    if ["localhost", "127.0.0.1", "0.0.0.0", "[::1]", "::1:"].contains(where: has) { return false }
    if has("refused") { return has("host='") || has("https://") || has("http://") }
    let types = [
      "timeout", "timeouterror", "connectionerror", "connecterror", "maxretryerror", "remotedisconnected",
      "protocolerror", "readerror", "networkerror", "proxyerror", "apiconnectionerror", "serviceunavailable",
      "internalservererror", "badgateway", "gatewaytimeout", "connectionreseterror",
    ]
    let lastType = failure.type.split(separator: ".").last.map { $0.lowercased() } ?? ""
    if types.contains(where: { lastType.hasSuffix($0) }) { return true }
    let phrases = [
      "read timed out", "connect timed out", "connection timed out", "max retries exceeded", "temporary failure in name resolution",
      "name or service not known", "service unavailable", "bad gateway", "gateway time", "etimedout",
      "econnreset", "getaddrinfo enotfound", "eai_again", "fetch failed", "socket hang up", "connection reset by peer",
      "502 server error", "503 server error", "504 server error", "error code: 502", "error code: 503",
      "error code: 504", "status code 502", "status code 503", "status code 504",
    ]
    return phrases.contains(where: has)
  }

  /// Whether `needle` occurs in `haystack` (bytes; no Foundation, no allocation).
  static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
    guard let first = needle.first, haystack.count >= needle.count else { return needle.isEmpty }
    var at = 0
    let last = haystack.count - needle.count
    while at <= last {
      if haystack[at] == first {
        var matched = 1
        while matched < needle.count && haystack[at + matched] == needle[matched] { matched += 1 }
        if matched == needle.count { return true }
      }
      at += 1
    }
    return false
  }

  /// Records a failure read from its shape under entry `index` (one of the three generic ids).
  ///
  /// A log may repeat the same failure thousands of times (a request error per request): a
  /// repeat only moves the evidence line; the title, captures and advice are written from the
  /// latest failure when a report is made (``materializeShapes()``), or at once when the
  /// finding is new in this attempt (live output shows it).
  private func record(_ failure: ShapeFailure, as index: Int?) {
    guard let index else { return }
    let failure = written(failure)
    applyRepeats()
    if index == shapes.requestErrorIndex {
      // Later request errors take the fast path (see pythonExceptionLine).
      shapes.requestRecorded = true
      shapes.repeatAttempt = failure.attempt
    }
    // A process-level report (npm, a supervisor) does not replace the exception it follows.
    if failure.weak, shapes.recordedAttempt == failure.attempt { return }
    shapes.recordedAttempt = failure.attempt
    if failure.attempt == tracker.currentAttempt, failure.line >= (tracker.history.last?.line ?? 0) {
      let before = tracker.stageChanges
      tracker.observeFailure(stage: matcher.catalog.signatures[index].stage, line: failure.line)
      announceStages(since: before)
    }
    if var finding = findings[index] {
      let newAttempt = !finding.occurs(inAttempt: failure.attempt)
      // Live output shows a finding new in this attempt as it is now; otherwise write it later.
      if !newAttempt || onEvent == nil {
        finding.count += 1
        if failure.line >= finding.line {
          finding.line = failure.line
          finding.text = failure.text
          shapes.latest[index] = failure
        }
        if newAttempt && finding.attempts.count < Triage.maxAttemptsPerFinding {
          finding.attempts.append(failure.attempt)
          finding.attempts.sort()
        }
        findings[index] = finding
        return
      }
    }
    shapes.latest[index] = nil
    let written = written(failure, as: index)
    addSynthetic(
      index, matcher.catalog.signatures[index], line: failure.line, attempt: failure.attempt, text: failure.text,
      title: written.title, captures: written.captures, context: written.context)
  }

  /// The title, captures and context of a finding read from `failure`.
  private func written(_ failure: ShapeFailure, as index: Int) -> (title: String, captures: [String: String], context: [String]) {
    let signature = matcher.catalog.signatures[index]
    let origin = Triage.origin(of: failure.frame)
    let exception = Triage.exceptionText(failure)
    let captures = [
      "exception": exception, "type": failure.type, "message": failure.message, "origin": origin.long,
      "origin_short": origin.short, "frame": origin.frame,
    ].mapValues { redactor.redact($0) }
    let title = redactor.redact("\(signature.title): \(exception)" + (origin.frame.isEmpty ? "" : " (\(origin.frame))"))
    return (title, captures, failure.context.map { redactor.redact($0) })
  }

  /// Writes the findings whose evidence moved to a repeat since they were last written.
  /// Adds the repeats counted on the fast path to the request-error finding (count and line;
  /// its strings wait for ``materializeShapes()``).
  private func applyRepeats() {
    guard shapes.repeated.count > 0, let index = shapes.requestErrorIndex, var finding = findings[index] else { return }
    finding.count += shapes.repeated.count
    shapes.repeated.count = 0
    if shapes.repeated.line >= finding.line {
      finding.line = shapes.repeated.line
      shapes.latest[index] = nil
    }
    findings[index] = finding
  }

  func materializeShapes() {
    applyRepeats()
    if shapes.repeated.line > 0, let (index, failure) = repeatedFailure(), findings[index]?.line == failure.line {
      findings[index]?.text = failure.text
      shapes.latest[index] = failure
    }
    shapes.repeated.line = 0
    guard !shapes.latest.isEmpty else { return }
    for (index, failure) in shapes.latest {
      guard var finding = findings[index], finding.line == failure.line else { continue }
      let written = written(failure, as: index)
      finding.title = written.title
      finding.captures = written.captures
      finding.context = written.context
      finding.advice = matcher.catalog.signatures[index].advice.map { $0.filled(with: written.captures) }
      findings[index] = finding
    }
    shapes.latest.removeAll()
  }

  /// Adds (or updates) a finding the engine made rather than a line matched.
  func addSynthetic(
    _ index: Int, _ signature: Signature, line: Int, attempt: Int, text: String, title: String,
    captures: [String: String], context: [String] = []
  ) {
    let advice = signature.advice.map { $0.filled(with: captures) }
    if var finding = findings[index] {
      let newAttempt = !finding.occurs(inAttempt: attempt)
      finding.count += 1
      if line >= finding.line {
        finding.line = line
        finding.text = text
        finding.title = title
        finding.captures = captures
        finding.advice = advice
        finding.context = context
      }
      if newAttempt && finding.attempts.count < Triage.maxAttemptsPerFinding {
        finding.attempts.append(attempt)
        finding.attempts.sort()
      }
      findings[index] = finding
      if newAttempt { onEvent?(.finding(finding)) }
    } else {
      let finding = Finding(
        id: signature.id, title: title, stage: signature.stage, signatureClass: signature.signatureClass,
        priority: signature.priority, line: line, attempts: [attempt], text: text, captures: captures,
        advice: advice, context: context)
      findings[index] = finding
      findingOrder.append(index)
      onEvent?(.finding(finding))
    }
  }

  /// `Type: message`, the message cut to 200 characters.
  static func exceptionText(_ failure: ShapeFailure) -> String {
    var message = failure.message
    if message.count > 200 { message = String(message.prefix(200)) + "…" }
    if failure.type.isEmpty { return message }
    return message.isEmpty ? failure.type : "\(failure.type): \(message)"
  }

  /// Who raised it, from the raising frame: a library (site-packages, node_modules, a cargo
  /// registry crate) or the app's own file and line.
  static func origin(of frame: String?) -> (long: String, short: String, frame: String) {
    guard let frame, !frame.isEmpty else {
      return ("the log does not show where it was raised", "no frame shown", "")
    }
    var path = frame
    var lineNumber = ""
    if let open = frame.range(of: "File \""), let close = frame[open.upperBound...].firstIndex(of: "\"") {
      // Python: `File "/path/x.py", line 12, in f`
      path = String(frame[open.upperBound..<close])
      let rest = frame[close...]
      if let mark = rest.range(of: "line ") {
        lineNumber = String(rest[mark.upperBound...].prefix { $0.isNumber })
      }
    } else {
      // Node `at f (/app/x.js:12:9)`, Rust `src/main.rs:5:5`.
      var location = frame.trimmingLeadingBlanks()
      if let open = location.lastIndex(of: "("), location.hasSuffix(")") {
        location = String(location[location.index(after: open)..<location.index(before: location.endIndex)])
      } else if location.hasPrefix("at ") {
        location = String(location.dropFirst(3))
      }
      let parts = location.split(separator: ":", omittingEmptySubsequences: false)
      if parts.count >= 3, parts[parts.count - 1].allSatisfy(\.isNumber), parts[parts.count - 2].allSatisfy(\.isNumber) {
        path = parts[0..<(parts.count - 2)].joined(separator: ":")
        lineNumber = String(parts[parts.count - 2])
      } else {
        path = location
      }
    }
    for marker in ["site-packages/", "dist-packages/", "node_modules/", "/.cargo/registry/src/"] {
      guard let range = path.range(of: marker, options: .backwards) else { continue }
      var components = path[range.upperBound...].split(separator: "/")
      if marker.contains("cargo"), components.count > 1 { components.removeFirst() }
      guard var package = components.first.map(String.init) else { break }
      if package.hasPrefix("@"), components.count > 1 { package += "/" + components[1] }
      if package.hasSuffix(".py") { package.removeLast(3) }
      if marker.contains("cargo"), let dash = package.lastIndex(of: "-") { package = String(package[..<dash]) }
      let long =
        "`\(package)` raised it: the usual cause is a newer/older `\(package)` than the code expects; "
        + "pin it (a fresh build picks up new releases)"
      return (long, "raised in `\(package)`", package)
    }
    if path.hasPrefix("node:") { return ("raised inside Node itself (`\(path)`)", "raised in Node", path) }
    for prefix in ["/home/user/app/", "/app/", "/code/", "/usr/src/app/", "/workspace/"] where path.hasPrefix(prefix) {
      path.removeFirst(prefix.count)
      break
    }
    let place = lineNumber.isEmpty ? path : "\(path):\(lineNumber)"
    return ("your code at \(place)", "your code at \(place)", place)
  }

  // MARK: - The port hint

  func notePortHint(text: UnsafeRawBufferPointer, line: Int) {
    guard let index = shapes.portHintIndex else { return }
    let port = matcher.captures(of: index, in: text)["port"] ?? ""
    let hint = (attempt: tracker.currentAttempt, line: line, port: port, text: evidence(text))
    if shapes.portHints.last?.attempt == hint.attempt {
      shapes.portHints[shapes.portHints.count - 1] = hint
    } else {
      // The first attempts are enough; memory stays flat on restart loops.
      if shapes.portHints.count >= Triage.maxAttemptsPerFinding { shapes.portHints.removeFirst() }
      shapes.portHints.append(hint)
    }
  }

  /// The current line served: unless it was a port hint, its attempt announced a routable address.
  func servingLineEnded() {
    if shapes.lineServes && !shapes.lineHinted && shapes.routableAttempts.last != tracker.currentAttempt {
      if shapes.routableAttempts.count >= Triage.maxAttemptsPerFinding { shapes.routableAttempts.removeFirst() }
      shapes.routableAttempts.append(tracker.currentAttempt)
    }
    shapes.lineServes = false
    shapes.lineHinted = false
    updateRunningMarkers()
  }

  /// Mutes the running markers while the current attempt runs and nothing more can be learnt
  /// from them (no port hint in this attempt, or one already shown routable); unmutes them when
  /// a new attempt starts or a port hint needs a routable line.
  func updateRunningMarkers() {
    let attempt = tracker.currentAttempt
    let hinted = shapes.portHints.last?.attempt == attempt
    let mute = tracker.stage == .running && (!hinted || shapes.routableAttempts.last == attempt)
    guard mute != shapes.runningMarkersMuted else { return }
    shapes.runningMarkersMuted = mute
    for index in shapes.runningMarkers { matcher.setMuted(index, mute) }
  }

  /// An attempt with a port hint ended in a launch timeout or a restart, with no other
  /// failure: the server listened where the Space does not route. The finding also counts in
  /// the last attempt when that one announced the same kind of address (it will not be
  /// reached either).
  private func addWrongPortFinding() {
    guard !shapes.portHints.isEmpty, let index = shapes.wrongPortIndex, findings[index] == nil else { return }
    let timeout = shapes.launchTimeoutIndex.flatMap { findings[$0] }
    var attempts: [Int] = []
    for hint in shapes.portHints where !shapes.routableAttempts.contains(hint.attempt) {
      let timedOut = timeout.map { $0.occurs(inAttempt: hint.attempt) || $0.isBoxed } ?? false
      let restarted = tracker.currentAttempt > hint.attempt
      guard timedOut || restarted else { continue }
      let other = findings.contains { key, finding in
        key != shapes.launchTimeoutIndex && finding.signatureClass.isFailure && finding.signatureClass != .failure
          && finding.occurs(inAttempt: hint.attempt)
      }
      if !other { attempts.append(hint.attempt) }
    }
    guard !attempts.isEmpty, let last = shapes.portHints.last else { return }
    if last.attempt == tracker.currentAttempt && !attempts.contains(last.attempt) { attempts.append(last.attempt) }
    guard let hint = shapes.portHints.last(where: { attempts.contains($0.attempt) }) else { return }
    // Advice placeholders: `{address}`, e.g. "port 8000 on 127.0.0.1/localhost".
    let signature = matcher.catalog.signatures[index]
    let port = hint.port.isEmpty ? "a loopback address" : "port \(hint.port)"
    let where_ = hint.text.contains("127.0.0.1") || hint.text.contains("localhost") ? "\(port) on 127.0.0.1/localhost" : port
    addSynthetic(
      index, signature, line: hint.line, attempt: attempts[0], text: hint.text,
      title: "\(signature.title) (\(where_))", captures: ["address": where_])
    findings[index]?.attempts = attempts
    // It explains the launch-timeout box above the log.
    findings[index]?.isBoxed = timeout?.isBoxed ?? false
  }
}

extension String {
  fileprivate func trimmingLeadingBlanks() -> String {
    String(drop { $0 == " " || $0 == "\t" })
  }
}
