import Foundation
import PatternCatalog
import Testing

@testable import SpaceTriage

/// Failures read from their shape (SPEC "Failures that no entry names"), the port hint's
/// promotion and logs that simply end, on short logs written for each rule.
struct ShapeTests {
  static let catalog = try? CompiledCatalog(try Catalog.load(directories: [PatternCatalog.directory]))

  private func classify(_ text: String) throws -> Report {
    let catalog = try #require(Self.catalog)
    let fast = Classifier(catalog: catalog).classify(text: text)
    // The prefilter and the block scan change nothing but speed, here too.
    #expect(fast == Classifier(catalog: catalog, usesPrefilter: false).classify(text: text))
    return fast
  }

  private func ids(_ report: Report) -> [String] { report.findings.map(\.id).filter { !$0.hasPrefix("noise.") } }

  static let banner = "===== Application Startup at 2026-04-15 10:00:00 =====\n\n"

  @Test func libraryFrameNamesThePackageAndAdvisesAPin() throws {
    let report = try classify(
      Self.banner + """
        Traceback (most recent call last):
          File "/home/user/app/app.py", line 3, in <module>
            model = get_peft_model(base, config)
          File "/usr/local/lib/python3.10/site-packages/peft/tuners/tuners_utils.py", line 22, in inject_adapter
            raise ValueError(msg)
        ValueError: Target modules {'qkv_proj'} not found in the base model.

        """)
    #expect(report.primary == Triage.appExceptionID)
    #expect(report.verdict == .persistent)
    let primary = try #require(report.primaryFinding)
    #expect(primary.title.contains("ValueError: Target modules {'qkv_proj'} not found in the base model."))
    #expect(primary.title.contains("(peft)"))
    #expect(report.advice.first?.text.contains("`peft` raised it") == true)
    #expect(report.advice.first?.text.contains("pin it") == true)
    #expect(primary.line == 8)
  }

  @Test func appFrameNamesFileAndLine() throws {
    let report = try classify(
      Self.banner + """
        Traceback (most recent call last):
          File "/home/user/app/app.py", line 31, in <module>
            threshold = 1 / len(labels)
        ZeroDivisionError: division by zero

        """)
    #expect(report.primary == Triage.appExceptionID)
    #expect(report.advice.first?.text.contains("your code at app.py:31") == true)
  }

  @Test func stdlibFrameFallsBackToTheLastOwnFrame() throws {
    let report = try classify(
      Self.banner + """
        Traceback (most recent call last):
          File "/home/user/app/app.py", line 7, in <module>
            CONFIG = json.load(open("config.json"))
          File "/usr/local/lib/python3.11/json/__init__.py", line 293, in load
            return loads(fp.read(),
        json.decoder.JSONDecodeError: Expecting value: line 1 column 1 (char 0)

        """)
    #expect(report.advice.first?.text.contains("your code at app.py:7") == true)
  }

  @Test func aSpecificEntryWinsAndTheGenericOneIsNotAdded() throws {
    let report = try classify(
      Self.banner + """
        Traceback (most recent call last):
          File "/home/user/app/app.py", line 2, in <module>
            import einops
        ModuleNotFoundError: No module named 'einops'

        """)
    #expect(report.primary == "startup.module-not-found")
    #expect(!ids(report).contains(Triage.appExceptionID))
  }

  @Test func aLoggedExceptionLineWithoutATracebackIsNoFailure() throws {
    let report = try classify(
      Self.banner + """
        retrying the upload after ValueError: bad chunk
        ValueError: the prompt is empty, using the default one
        Error: cache miss for key 'styles', computing it
        * Running on local URL:  http://0.0.0.0:7860

        """)
    #expect(report.verdict == .healthy, "\(report.findings)")
  }

  /// Inside a traceback the exception shapes are not run on a line that `looks.exception`
  /// surely matches; a line only they make failure-looking (`…Timeout: `) still counts.
  @Test(arguments: ["mypkg.BudgetTimeout: 30 s spent on the first step", "ValueError: the prompt has 3 parts, expected 2"])
  func aTracebacksLastLineIsListedWhateverTheShapeThatSawIt(last: String) throws {
    let report = try classify(
      Self.banner + """
        Traceback (most recent call last):
          File "/home/user/app/app.py", line 12, in <module>
            main()
        \(last)

        """)
    // A generic finding (a timeout reads as a network error): the line stays unrecognised.
    #expect(report.primary == Triage.appExceptionID || report.primary == "startup.network-error")
    #expect(report.unrecognized.map(\.text) == [last])
  }

  @Test func aTracebackAfterServingIsNoiseUnlessTheAppWentDown() throws {
    let traceback = """
      * Running on local URL:  http://0.0.0.0:7860
      Traceback (most recent call last):
        File "/usr/local/lib/python3.10/site-packages/torch/_classes.py", line 13, in __getattr__
          proxy = torch._C._get_custom_class_python_wrapper(self.name, attr)
      RuntimeError: Tried to instantiate class '__path__._path', but it does not exist!

      """
    #expect(try classify(Self.banner + traceback).verdict == .healthy)
    // The same exception, then a restart that never serves: it was the crash.
    let restarted = try classify(Self.banner + traceback + Self.banner + "Loading model...\n")
    #expect(restarted.primary == Triage.appExceptionID)
  }

  @Test func aTracebackInsideABuildIsTheBuildsBusiness() throws {
    let report = try classify(
      """
      ===== Build Queued at 2026-04-15 09:58:01 / Commit SHA: e9e3061 =====

      --> RUN python download.py
      Traceback (most recent call last):
        File "/app/download.py", line 4, in <module>
          snapshot_download("quill-lab/tiny")
      KeyError: 'HF_HOME'

      """)
    #expect(!ids(report).contains(Triage.appExceptionID))
  }

  @Test func aNodeErrorNeedsItsFrames() throws {
    let withoutFrames = try classify(Self.banner + "TypeError: fetch failed, retrying in 5s\nListening on http://0.0.0.0:7860\n")
    #expect(withoutFrames.verdict == .healthy)
    let withFrames = try classify(
      Self.banner + "TypeError: fetch failed\n    at node:internal/deps/undici/undici:13502:13\n    at async main (/app/index.js:8:3)\n")
    #expect(withFrames.primary == Triage.networkErrorID)
    let afterListening = try classify(
      Self.banner
        + "Listening on http://0.0.0.0:7860\nTypeError: Cannot read properties of null (reading 'id')\n    at /app/routes/chat.js:41:22\n")
    #expect(afterListening.primary == Triage.requestErrorID)
    #expect(afterListening.finalStage == .running)
  }

  @Test func aCutTracebackWithQueueFramesIsARequestError() throws {
    let report = try classify(
      Self.banner + """
        * Running on local URL:  http://0.0.0.0:7860
        Traceback (most recent call last):
          File "/usr/local/lib/python3.10/site-packages/gradio/queueing.py", line 407, in call_prediction
            output = await route_utils.call_process_api(
        """)
    #expect(report.primary == Triage.requestErrorID)
    #expect(report.verdict == .persistent)
  }

  @Test(arguments: [
    ("requests.exceptions.ConnectTimeout", "HTTPSConnectionPool(host='api.example.com', port=443): Max retries exceeded", true),
    ("httpx.ReadTimeout", "timed out", true),
    ("openai.InternalServerError", "Error code: 503 - {'error': 'Service Unavailable'}", true),
    ("requests.exceptions.ConnectionError", "HTTPConnectionPool(host='localhost', port=11434): Max retries exceeded", false),
    ("ConnectionRefusedError", "[Errno 111] Connection refused", false),
    ("FileNotFoundError", "[Errno 2] No such file or directory: 'examples'", false),
    ("KeyError", "'OPENAI_API_KEY'", false),
    ("TypeError", "fetch failed", true),
  ])
  func networkFailures(_ type: String, _ message: String, _ network: Bool) {
    let failure = ShapeFailure(type: type, message: message, line: 1, attempt: 1, text: "")
    #expect(Triage.isNetworkFailure(failure) == network)
  }

  @Test(arguments: [
    ("  File \"/usr/local/lib/python3.10/site-packages/diffusers/utils/import_utils.py\", line 9, in f", "diffusers"),
    ("  File \"/usr/lib/python3/dist-packages/yaml/__init__.py\", line 9, in f", "yaml"),
    ("  File \"/home/user/app/app.py\", line 12, in <module>", "app.py:12"),
    ("    at handler (/app/node_modules/@fastify/static/index.js:40:7)", "@fastify/static"),
    ("    at Object.<anonymous> (/app/server.js:21:28)", "server.js:21"),
    ("src/main.rs:42:55", "src/main.rs:42"),
  ])
  func raisingFrames(_ frame: String, _ named: String) {
    #expect(Triage.origin(of: frame).frame == named)
  }

  @Test(
    arguments: [
      ("ValueError: x", "ValueError"), ("requests.exceptions.ReadTimeout: (x)", "requests.exceptions.ReadTimeout"),
      ("RuntimeError", "RuntimeError"), ("socket.timeout: timed out", "socket.timeout"),
      ("INFO:     Started server process [1]", nil), ("During handling of the above exception, another exception occurred:", nil),
      ("KeyboardInterrupt", nil), ("BrokenPipeError: [Errno 32] Broken pipe", nil), ("2026-04-15 10:00:00 ERROR x", nil),
    ] as [(String, String?)])
  func pythonExceptionLines(_ line: String, _ type: String?) {
    var bytes = Array(line.utf8)
    let found = bytes.withUnsafeMutableBytes { Triage.pythonExceptionType(UnsafeRawBufferPointer($0)) }
    #expect(found == type)
  }

  @Test func aPortHintAloneChangesNothing() throws {
    let report = try classify(Self.banner + "INFO:     Uvicorn running on http://127.0.0.1:8000 (Press CTRL+C to quit)\n")
    #expect(report.verdict == .healthy)
    #expect(ids(report) == [Triage.portHintID])
  }

  @Test func aPortHintWithAnotherFailureIsNotPromoted() throws {
    let report = try classify(
      "runtime error\nLaunch timed out, workload was not healthy after 30 min\nContainer logs:\n\n" + Self.banner
        + "Listening on http://0.0.0.0:3000\nTraceback (most recent call last):\n  File \"/app/x.py\", line 1, in <module>\nKeyError: 'OPENAI_API_KEY'\n")
    #expect(!ids(report).contains(Triage.wrongPortID))
  }

  @Test func aLogThatEndsMidBuildIsUnknownWithAReason() throws {
    let report = try classify(
      "===== Build Queued at 2026-04-15 09:58:01 / Commit SHA: e9e3061 =====\n\n--> RUN pip install -r requirements.txt\nCollecting torch\n")
    #expect(report.verdict == .unknown)
    #expect(report.finalStage == .build)
    #expect(report.reason?.contains("the log ends while the image is being built") == true)
    let json = JSONReporter.report(report).serialized()
    #expect(json.contains(#""reason":"the log ends while"#))
  }

  @Test func aJobFailedBoxOverTheQueuedBannerIsNotStuck() throws {
    let boxOnly = try classify("build error\nJob failed with exit code: 1\nBuild logs:\n\n===== Build Queued at 2026-04-15 09:58:01 / Commit SHA: e9e3061 =====\n")
    #expect(boxOnly.primary == "build.job-failed")
    let queuedOnly = try classify("===== Build Queued at 2026-04-15 09:58:01 / Commit SHA: e9e3061 =====\n")
    #expect(queuedOnly.primary == Triage.stuckQueuedID)
  }

  // MARK: - A Python exception line without its traceback

  @Test func aBareExceptionLineEndsTheAppBeforeItServed() throws {
    let report = try classify(Self.banner + "Loading the index\nsqlite3.OperationalError: unable to open database file\n")
    #expect(report.primary == Triage.appExceptionID)
    #expect(report.verdict == .persistent)
    let primary = try #require(report.primaryFinding)
    #expect(primary.line == 4)
    #expect(primary.title.contains("sqlite3.OperationalError: unable to open database file"))
  }

  @Test func aBareNetworkExceptionIsTransient() throws {
    let report = try classify(
      Self.banner + "requests.exceptions.ConnectionError: HTTPSConnectionPool(host='api.example.org', port=443): Max retries exceeded\n")
    #expect(report.primary == Triage.networkErrorID)
    #expect(report.verdict == .transient)
  }

  @Test func aBareExceptionThatTheAppSurvivesIsNoFailure() throws {
    let report = try classify(
      Self.banner + "ValueError: no GPU, using CPU\n* Running on local URL:  http://0.0.0.0:7860\n")
    #expect(report.verdict == .healthy)
    #expect(report.finalStage == .running)
  }

  @Test func aBareErrorFollowedByJavaScriptFramesIsANodeError() throws {
    let report = try classify(
      Self.banner
        + "TypeError: Cannot read properties of undefined (reading 'port')\n    at Object.<anonymous> (/app/server.js:21:28)\n    at node:internal/main/run_main_module:36:49\n")
    #expect(report.primary == Triage.appExceptionID)
    let primary = try #require(report.primaryFinding)
    // The Node shape read it: its raising frame is the first `at` line.
    #expect(primary.title.contains("(server.js:21)"))
    #expect(report.findings.filter { $0.id == Triage.appExceptionID }.count == 1)
  }

  @Test func aBareExceptionInsideABuildIsTheBuildsBusiness() throws {
    let report = try classify(
      "===== Build Queued at 2026-04-15 09:58:01 / Commit SHA: e9e3061 =====\n\n--> RUN python -c 'import nltk'\nLookupError: resource punkt not found\n")
    #expect(!ids(report).contains(Triage.appExceptionID))
  }

  @Test func aBareExceptionBelongsToTheAttemptThatPrintedIt() throws {
    let report = try classify(
      Self.banner + "RuntimeError: checkpoint is corrupt\n===== Application Startup at 2026-04-15 10:05:00 =====\n\n* Running on local URL:  http://0.0.0.0:7860\n")
    let finding = try #require(report.findings.first { $0.id == Triage.appExceptionID })
    #expect(finding.attempts == [1])
    #expect(report.verdict == .healthy)
  }

  /// A collector's timestamp in front of every line (`docker logs -t`, a bracketed stamp)
  /// changes nothing: the shapes read what the app printed after it.
  @Test(arguments: ["2026-04-15T10:00:04.512941002Z ", "2026-04-15T10:00:04Z ", "[2026-04-15 10:00:04] ", "[2026-04-15T10:00:04+02:00]\t"])
  func aCollectorsTimestampChangesNothing(_ stamp: String) throws {
    let log = """
      Traceback (most recent call last):
        File "/home/user/app/app.py", line 27, in <module>
          pipe = load(MODEL_ID)
        File "/usr/local/lib/python3.10/site-packages/diffusers/loaders.py", line 88, in load
          raise OSError(f"{name} is not a checkpoint")
      OSError: base-v2 is not a checkpoint
      panic: assignment to entry in nil map
      """
    let bare = try classify(Self.banner + log + "\n")
    let stamped = try classify((Self.banner + log).split(separator: "\n", omittingEmptySubsequences: false).map { stamp + $0 }.joined(separator: "\n") + "\n")
    #expect(bare.primary == Triage.appExceptionID)
    #expect(stamped.primary == bare.primary)
    #expect(stamped.findings.map(\.id) == bare.findings.map(\.id))
    #expect(stamped.findings.map(\.title) == bare.findings.map(\.title))
    #expect(stamped.findings.map(\.line) == bare.findings.map(\.line))
    #expect(stamped.advice == bare.advice)
  }

  @Test func unqualifiedOrPrefixedErrorsAreNoPythonExceptions() throws {
    // A bare `Error:` is Node's, Go's or a shell tool's; a prefixed line is a logger's.
    let report = try classify(Self.banner + "Error: config file not found, using defaults\n2026-04-15 10:00:01 ValueError: retried\n")
    #expect(!ids(report).contains(Triage.appExceptionID))
  }

  @Test(arguments: [
    "exec /srv/boot.sh: no such file or directory",
    "standard_init_linux.go:228: exec user process caused: exec format error",
  ])
  func anEntrypointThatCannotRunIsTheAppsFailure(_ line: String) throws {
    let report = try classify(Self.banner + line + "\n")
    #expect(report.primary == Triage.appExceptionID)
    #expect(report.verdict == .persistent)
  }

  @Test func gradiosPortErrorIsABindFailureFirst() throws {
    let report = try classify(
      Self.banner
        + "OSError: Cannot find empty port in range: 7860-7860. You can specify a different port by setting the GRADIO_SERVER_PORT environment variable or passing the `server_port` parameter to `launch()`.\n"
    )
    // The missing-secret entry also reads `by setting the GRADIO_SERVER_PORT environment
    // variable`; the bind failure outranks it.
    #expect(report.primary == "startup.port-bind-failed")
  }
}
