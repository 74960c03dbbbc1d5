package import Foundation

/// Runs every check of ``CheckCatalog`` over a ``SpaceSnapshot``.
package struct SpaceChecks {
  package let snapshot: SpaceSnapshot
  /// Whether the logs or the runtime show a launch timeout (for ``CheckCatalog/startupDownloads``).
  package var launchTimedOut: Bool
  /// Now, for the age of the last build.
  package var now: Date

  /// What the checks read, worked out once.
  package private(set) var frontMatter: FrontMatter?
  package private(set) var frontMatterError: FrontMatterError?
  package private(set) var appFile: String?
  package private(set) var app: AppFacts?
  package private(set) var requirements: RequirementsParser.Result
  /// pre-requirements.txt (installed by a pip command of its own, before requirements.txt).
  package private(set) var preRequirements: RequirementsParser.Result

  package init(snapshot: SpaceSnapshot, launchTimedOut: Bool = false, now: Date = Date()) {
    self.snapshot = snapshot
    self.launchTimedOut = launchTimedOut
    self.now = now
    if let readme = snapshot.files["README.md"] {
      switch FrontMatter.parse(readme) {
      case .success(let matter): frontMatter = matter
      case .failure(let error): frontMatterError = error
      }
    } else {
      frontMatterError = FrontMatterError(problem: .missing)
    }
    let sdk = (frontMatter?["sdk"] ?? snapshot.hubSDK)?.lowercased()
    appFile = SpaceChecks.appFile(sdk: sdk, frontMatter: frontMatter)
    if let appFile, appFile.hasSuffix(".py"), let text = snapshot.files[appFile] {
      app = AppFacts(PythonSource(text))
    }
    let files = snapshot.files
    requirements = RequirementsParser(load: { files[$0] }).parse("requirements.txt")
    preRequirements = RequirementsParser(load: { files[$0] }).parse("pre-requirements.txt")
  }

  /// The app file of a Space with `sdk`: `app_file`, else app.py (gradio/streamlit),
  /// Dockerfile (docker), index.html (static).
  package static func appFile(sdk: String?, frontMatter: FrontMatter?) -> String? {
    if sdk == "docker" { return "Dockerfile" }
    if let file = frontMatter?["app_file"], !file.isEmpty { return file }
    switch sdk {
    case "static": return "index.html"
    case "gradio", "streamlit", nil: return "app.py"
    default: return nil
    }
  }

  package var sdk: String? { (frontMatter?["sdk"] ?? snapshot.hubSDK)?.lowercased() }

  /// The hardware names in play: requested, current, `suggested_hardware`.
  package var hardwareNames: [String] {
    [snapshot.runtime?.hardwareRequested, snapshot.runtime?.hardwareCurrent, frontMatter?["suggested_hardware"]].compactMap { $0 }
  }

  /// ZeroGPU hardware requested, current or suggested.
  package var isZeroGPU: Bool { hardwareNames.contains { $0.hasPrefix("zero-") } }

  /// The Gradio version the Space runs: `sdk_version` for the Gradio SDK, else the exact pin.
  package var gradioVersion: (version: PackageVersion, file: String, line: Int)? {
    if sdk == "gradio", let text = frontMatter?["sdk_version"], let version = PackageVersion(text) {
      return (version, "README.md", frontMatter?.line(of: "sdk_version") ?? 1)
    }
    if let pin = requirement("gradio"), let exact = pin.exactVersion, let version = PackageVersion(exact) {
      return (version, pin.file, pin.line)
    }
    return nil
  }

  /// The applicable requirement named `name` (normalised) in requirements.txt (and its
  /// includes), or with `orPre` also in pre-requirements.txt.
  func requirement(_ name: String, orPre: Bool = false) -> Requirement? {
    let normalized = Requirement.normalize(name)
    let candidates = requirements.requirements + (orPre ? preRequirements.requirements : [])
    return candidates.first { $0.normalizedName == normalized && $0.appliesOnLinux }
  }

  /// Runs every check.
  package func run() -> [CheckResult] {
    var results: [CheckResult] = []
    results += configChecks()
    results += hardwareChecks()
    results += secretChecks()
    results += codeChecks()
    results += pinChecks()
    results += startupChecks()
    let order = Dictionary(uniqueKeysWithValues: CheckCatalog.all.enumerated().map { ($1.id, $0) })
    return results.enumerated().sorted { lhs, rhs in
      let left = (lhs.element.severity.rank, order[lhs.element.id] ?? 99, lhs.offset)
      let right = (rhs.element.severity.rank, order[rhs.element.id] ?? 99, rhs.offset)
      return left < right
    }.map(\.element)
  }

  // MARK: - Configuration

  func configChecks() -> [CheckResult] {
    var results: [CheckResult] = []
    if let problem = frontMatterError?.problem {
      switch problem {
      case .missing:
        let absent = snapshot.files["README.md"] == nil
        results.append(
          CheckResult(
            CheckCatalog.frontMatterMissing, file: "README.md", line: absent ? nil : 1,
            message: absent ? "README.md is not in the repository" : "README.md does not start with a `---` YAML block",
            advice: [DoctorStep("fix-readme-yaml", "Start README.md with a front matter block: `---`, `sdk: gradio`, `sdk_version: …`, `app_file: app.py`, `---`.")]))
      case .invalid(let message, let line):
        results.append(
          CheckResult(
            CheckCatalog.frontMatterInvalid, file: "README.md", line: line, message: "invalid YAML at README.md:\(line): \(message)",
            advice: [
              DoctorStep(
                "fix-readme-yaml", "Fix the YAML at README.md:\(line) (quote values with `:` or `#`, indent lists consistently); the Hub shows Configuration error until it parses."
              )
            ]))
      }
    }
    let matter = frontMatter
    let known = ["gradio", "streamlit", "docker", "static"]
    if frontMatter != nil || snapshot.hubSDK != nil {
      if let sdk, known.contains(sdk) {
        // fine
      } else {
        let written = frontMatter?["sdk"]
        results.append(
          CheckResult(
            CheckCatalog.sdkUnknown, file: "README.md", line: matter?.line(of: "sdk"),
            message: written.map { "sdk: \($0) is not one of gradio, streamlit, docker, static" } ?? "README.md sets no sdk",
            advice: [DoctorStep("fix-readme-yaml", "Set `sdk:` in README.md to gradio, streamlit, docker or static.")]))
      }
    }
    if let appFile, let repoFiles = snapshot.repoFiles, !repoFiles.contains(appFile) {
      let declared = matter?["app_file"] != nil && sdk != "docker"
      results.append(
        CheckResult(
          CheckCatalog.appFileMissing, file: "README.md", line: declared ? matter?.line(of: "app_file") : matter?.line(of: "sdk"),
          message: "\(appFile) is not in the repository" + (declared ? " (app_file: \(appFile))" : " (the default for sdk: \(sdk ?? "gradio"))"),
          advice: [DoctorStep("add-app-file", "Commit \(appFile), or point `app_file:` in README.md at the file that starts the app.")]))
    }
    if sdk == "docker" { results += portChecks() }
    return results
  }

  /// Ports the Dockerfile exposes or passes to a server (`EXPOSE`, `--port`, `--server.port`, `PORT=`).
  func dockerPorts() -> [(port: Int, line: Int)] {
    guard let dockerfile = snapshot.files["Dockerfile"] else { return [] }
    var ports: [(Int, Int)] = []
    for (index, raw) in dockerfile.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
      let line = raw.trimmingCharacters(in: .whitespaces)
      guard !line.hasPrefix("#") else { continue }
      let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "," || $0 == "[" || $0 == "]" || $0 == "\"" })
        .map(String.init)
      for (position, word) in words.enumerated() {
        var candidate: String?
        if word.uppercased() == "EXPOSE", position == 0 {
          for next in words.dropFirst() { if let port = Int(next.split(separator: "/").first ?? "") { ports.append((port, index + 1)) } }
          continue
        }
        if ["--port", "--server.port", "-p", "--bind"].contains(word), position + 1 < words.count { candidate = words[position + 1] }
        for prefix in ["--port=", "--server.port=", "PORT=", "--bind="] where word.hasPrefix(prefix) { candidate = String(word.dropFirst(prefix.count)) }
        if let candidate, let port = Int(candidate.split(separator: ":").last ?? "") { ports.append((port, index + 1)) }
      }
    }
    return ports
  }

  func portChecks() -> [CheckResult] {
    let ports = dockerPorts()
    let declared = frontMatter?["app_port"].flatMap { Int($0) }
    let expected = declared ?? 7860
    if ports.isEmpty || ports.contains(where: { $0.port == expected }) {
      if declared == nil, ports.isEmpty {
        return [
          CheckResult(
            CheckCatalog.appPort, severity: .hint, file: "README.md", line: frontMatter?.line(of: "sdk"),
            message: "no app_port: the Hub sends traffic to port 7860",
            advice: [DoctorStep("fix-app-port", "Make the server listen on 0.0.0.0:7860, or set `app_port:` in README.md to its port.")])
        ]
      }
      return []
    }
    let other = ports[0]
    if declared == nil {
      return [
        CheckResult(
          CheckCatalog.appPort, file: "Dockerfile", line: other.line,
          message: "the Dockerfile uses port \(other.port) but README.md sets no app_port (the Hub sends traffic to 7860)",
          advice: [DoctorStep("fix-app-port", "Add `app_port: \(other.port)` to README.md, or make the server listen on 0.0.0.0:7860.")])
      ]
    }
    return [
      CheckResult(
        CheckCatalog.appPort, severity: .warning, file: "Dockerfile", line: other.line,
        message: "the Dockerfile uses port \(other.port) but app_port is \(expected)",
        advice: [DoctorStep("fix-app-port", "Make app_port in README.md and the server's port agree (\(expected) or \(other.port)).")])
    ]
  }

  // MARK: - Hardware

  func hardwareChecks() -> [CheckResult] {
    var results: [CheckResult] = []
    if isZeroGPU, let sdk, sdk != "gradio" {
      let source =
        snapshot.runtime?.hardwareRequested?.hasPrefix("zero-") == true
        ? "requested hardware"
        : snapshot.runtime?.hardwareCurrent?.hasPrefix("zero-") == true ? "current hardware" : "suggested_hardware"
      results.append(
        CheckResult(
          CheckCatalog.zeroGPUSDK, file: "README.md", line: frontMatter?.line(of: "sdk"),
          message: "\(source) is ZeroGPU but sdk is \(sdk): ZeroGPU runs Gradio Spaces only",
          advice: [DoctorStep("choose-hardware", "Use sdk: gradio for ZeroGPU, or pick a dedicated GPU (t4-small, l4x1, …) in Settings → Space hardware for a \(sdk) Space.")]))
    }
    if let runtime = snapshot.runtime, let current = runtime.hardwareCurrent, current == "cpu-basic", let app, app.needsGPU {
      let evidence =
        app.gpuUses.first.map { ($0.line, $0.text) } ?? app.spacesImportLine.map { ($0, "import spaces") }
        ?? app.cudaUses.first { !$0.guarded }.map { ($0.line, $0.text) }
      let requested = runtime.hardwareRequested.flatMap { $0 == current ? nil : $0 }
      let wants = app.importsSpaces || !app.gpuUses.isEmpty ? "ZeroGPU (zero-a10g)" : "a GPU"
      var message = "the Space runs on cpu-basic"
      if let requested { message += " (requested: \(requested))" }
      message += " while \(appFile ?? "the app") needs \(wants)"
      if let evidence { message += " (line \(evidence.0): \(evidence.1))" }
      message += ": a duplicate falls back to free CPU unless other hardware is chosen"
      results.append(
        CheckResult(
          CheckCatalog.hardwareFallback, file: appFile, line: evidence?.0, message: message,
          advice: [
            DoctorStep(
              "choose-hardware",
              "Settings → Space hardware: choose \(requested ?? (wants.hasPrefix("ZeroGPU") ? "ZeroGPU (zero-a10g, needs PRO or an organization)" : "a GPU such as t4-small or l4x1")) instead of cpu-basic, then restart the Space."
            )
          ]))
    }
    return results
  }

  // MARK: - Secrets

  /// Environment variables the platform or the SDK sets: reading them needs no secret.
  static let platformVariables: Set<String> = [
    "SYSTEM", "PORT", "HOME", "PATH", "USER", "PWD", "LANG", "TMPDIR", "PYTHONPATH", "CUDA_VISIBLE_DEVICES", "OMP_NUM_THREADS",
    "HF_HOME", "HF_HUB_CACHE", "TRANSFORMERS_CACHE", "HF_DATASETS_CACHE", "HF_HUB_ENABLE_HF_TRANSFER", "HF_ENDPOINT",
    "OAUTH_CLIENT_ID", "OAUTH_CLIENT_SECRET", "OAUTH_SCOPES", "OPENID_PROVIDER_URL", "ZEROGPU_V2", "HOSTNAME",
  ]

  static func isPlatformVariable(_ name: String) -> Bool {
    platformVariables.contains(name) || name.hasPrefix("SPACE_") || name.hasPrefix("GRADIO_") || name.hasPrefix("STREAMLIT_")
  }

  func secretChecks() -> [CheckResult] {
    guard let app, let appFile else { return [] }
    var seen: Set<String> = []
    let reads = app.environmentReads.filter { !SpaceChecks.isPlatformVariable($0.name) && seen.insert($0.name).inserted }
    guard !reads.isEmpty else { return [] }
    let names = reads.map(\.name)
    guard snapshot.isRemote, let variables = snapshot.variables else {
      let why =
        snapshot.isRemote
        ? "the Space's variables and secrets could not be listed (listing them needs a token with write access to the Space)"
        : "a local folder does not say which secrets the Space has"
      return [
        CheckResult(
          CheckCatalog.secretUnverified, file: appFile, line: reads[0].line,
          message: "\(appFile) reads \(names.joined(separator: ", ")); \(why)",
          advice: [
            DoctorStep(
              "add-secret", "Make sure the Space has \(names.joined(separator: ", ")) in Settings → Variables and secrets: a duplicate gets the public variables but no secrets.")
          ])
      ]
    }
    let present = variables.union(snapshot.secrets ?? [])
    var results: [CheckResult] = []
    for read in reads where !present.contains(read.name) {
      let tolerates = read.hasDefault
      var message = "\(appFile):\(read.line) reads \(read.name) (\(read.text)) but the Space has no variable or secret \(read.name)"
      if snapshot.secrets == nil { message += " (its secrets could not be listed)" }
      message += "; secrets are not copied when a Space is duplicated"
      if tolerates { message += "; the code has a default, so it runs without it, perhaps not as intended" }
      results.append(
        CheckResult(
          CheckCatalog.secretMissing, severity: tolerates || snapshot.secrets == nil ? .warning : .error, file: appFile, line: read.line,
          message: message,
          advice: [
            DoctorStep("add-secret", "Add the secret \(read.name) in Settings → Variables and secrets (a read token is enough for HF_TOKEN-style access), then restart the Space.")
          ]))
    }
    return results
  }

  // MARK: - Code (ZeroGPU)

  func codeChecks() -> [CheckResult] {
    guard let app, let appFile else { return [] }
    var results: [CheckResult] = []
    let zero = isZeroGPU
    if zero, !app.importsSpaces, sdk == "gradio" || sdk == nil {
      let gpu = app.cudaUses.first
      results.append(
        CheckResult(
          CheckCatalog.spacesImportMissing, file: appFile, line: 1,
          message: "the Space is on ZeroGPU (\(hardwareNames.first { $0.hasPrefix("zero-") } ?? "zero-a10g")) but \(appFile) never imports spaces"
            + (gpu.map { "; it uses CUDA at line \($0.line)" } ?? ""),
          advice: [
            DoctorStep("import-spaces-first", "Put `import spaces` at the top of \(appFile), before torch and any CUDA-related import."),
            DoctorStep("move-cuda-into-gpu", "Decorate the functions that use the GPU with `@spaces.GPU` (GPU work only inside them)."),
          ]))
    }
    let early = app.cudaBeforeSpaces
    if !early.isEmpty, app.spacesImportLine != nil || zero {
      let first = early[0]
      let more = early.count > 1 ? " (and \(early.count - 1) more: lines \(early.dropFirst().map { String($0.line) }.joined(separator: ", ")))" : ""
      let position = app.spacesImportLine.map { "before `import spaces` (line \($0))" } ?? "at import time without `import spaces`"
      results.append(
        CheckResult(
          CheckCatalog.cudaBeforeSpaces, file: appFile, line: first.line,
          message: "\(appFile):\(first.line) touches CUDA \(position): \(first.text)\(more)",
          advice: [
            DoctorStep("import-spaces-first", "Move `import spaces` to the first line of \(appFile), above `\(first.text)`."),
            DoctorStep("move-cuda-into-gpu", "Keep torch.cuda calls, .cuda() and .to(\"cuda\") out of import time: do them inside the @spaces.GPU function."),
          ]))
    }
    for use in app.gpuUses {
      guard let duration = use.duration else { continue }
      let charged = use.size == "xlarge" ? duration * 2 : duration
      let sizeNote = use.size == "xlarge" ? " (size=\"xlarge\" counts double: \(charged) s)" : ""
      if charged > 2400 {
        results.append(
          CheckResult(
            CheckCatalog.gpuDurationMax, file: appFile, line: use.line,
            message: "\(appFile):\(use.line) requests duration=\(duration) s\(sizeNote), above the 40 min (2400 s) no caller may exceed",
            advice: [
              DoctorStep("lower-gpu-duration", "Lower `duration=` at \(appFile):\(use.line) to what one call needs (the default is 60 s); split long jobs into several GPU calls.")
            ]))
      } else if charged > 120 {
        results.append(
          CheckResult(
            CheckCatalog.gpuDurationFree, file: appFile, line: use.line,
            message: "\(appFile):\(use.line) requests duration=\(duration) s\(sizeNote): anonymous visitors (2 min = 120 s a day)"
              + (charged > 210 ? " and free accounts (3.5 min = 210 s a day)" : "") + " cannot run it (ZeroGPU illegal duration)",
            advice: [DoctorStep("lower-gpu-duration", "Lower `duration=` at \(appFile):\(use.line) (to 60–120 s; shorter also queues faster) and retest with a small input.")]))
      }
    }
    return results
  }

  // MARK: - Pins

  func pinChecks() -> [CheckResult] {
    var results: [CheckResult] = []
    let matter = frontMatter
    for missing in requirements.missingIncludes + preRequirements.missingIncludes {
      results.append(
        CheckResult(
          CheckCatalog.requirementsInclude, file: missing.file, line: missing.line,
          message: "\(missing.file):\(missing.line) includes \(missing.path), which is not in the repository",
          advice: [DoctorStep("pin-dependencies", "Commit \(missing.path) or remove the `-r \(missing.path)` line.")]))
    }
    if sdk == "gradio" || sdk == "streamlit", let matter {
      if matter["sdk_version"] == nil {
        results.append(
          CheckResult(
            CheckCatalog.sdkVersionUnpinned, file: "README.md", line: matter.line(of: "sdk"),
            message: "README.md sets no sdk_version: each rebuild installs the newest \(sdk ?? "gradio")",
            advice: [DoctorStep("align-sdk-version", "Set `sdk_version:` in README.md to the \(sdk ?? "gradio") version the app was written for.")]))
      }
      if matter["python_version"] == nil {
        let gradio4 = gradioVersion.map { $0.version.release[0] < 5 } ?? false
        results.append(
          CheckResult(
            CheckCatalog.pythonVersionUnpinned, file: "README.md", line: matter.line(of: "sdk"),
            message: "README.md sets no python_version: the image's default Python moves (3.13 in 2026)"
              + (gradio4 ? "; Gradio 4 on Python 3.13 fails with No module named 'audioop'" : ""),
            advice: [DoctorStep("set-python-version", "Set `python_version: \"3.10\"` (or the version the app was tested with) in README.md.")]))
      }
    }
    if sdk == "gradio", let written = matter?["sdk_version"], let version = PackageVersion(written), let pin = requirement("gradio"),
      pin.url != nil || !pin.admits(version)
    {
      let spec = pin.url ?? pin.specifiers.map(\.description).joined(separator: ",")
      results.append(
        CheckResult(
          CheckCatalog.gradioPinMismatch, file: pin.file, line: pin.line,
          message:
            "\(pin.file):\(pin.line) pins gradio\(pin.url == nil ? spec : " @ \(spec)") but README.md has sdk_version: \(written) (the image installs gradio==\(written) in the same pip command)",
          advice: [
            DoctorStep(
              "align-sdk-version",
              "Remove the gradio line from \(pin.file) (the SDK installs gradio==\(written)), or set `sdk_version: \(pin.exactVersion ?? written)` in README.md so both agree.")
          ]))
    }
    if isZeroGPU, let gradio = gradioVersion {
      if gradio.version < PackageVersion("4")! {
        results.append(
          CheckResult(
            CheckCatalog.gradioZeroGPUOld, file: gradio.file, line: gradio.line,
            message: "Gradio \(gradio.version) on ZeroGPU: ZeroGPU is only compatible with Gradio 4+",
            advice: [DoctorStep("align-sdk-version", "Raise sdk_version in README.md to 5.12.0 or later (and drop any older gradio pin).")]))
      } else if gradio.version < PackageVersion("5.12.0")! {
        results.append(
          CheckResult(
            CheckCatalog.gradioQuotaBug, file: gradio.file, line: gradio.line,
            message: "Gradio \(gradio.version) on ZeroGPU: before 5.12.0 logged-in and PRO visitors can be charged as anonymous (quota exceeded too early)",
            advice: [DoctorStep("align-sdk-version", "Raise sdk_version in README.md to 5.12.0 or later if visitors report quota errors.")]))
      }
    }
    // Unpinned key packages.
    var unpinned: [Requirement] = []
    for name in ["torch", "numpy", "gradio", "huggingface_hub", "transformers"] {
      if name == "gradio" && sdk == "gradio" { continue }  // the SDK installs gradio==sdk_version
      if let requirement = requirement(name, orPre: true), !requirement.isPinned { unpinned.append(requirement) }
    }
    if let first = unpinned.first {
      let old = snapshot.lastBuild.map { now.timeIntervalSince($0) > 90 * 86400 } ?? false
      let age = snapshot.lastBuild.map { " (last build \(Int(now.timeIntervalSince($0) / 86400)) days ago)" } ?? ""
      results.append(
        CheckResult(
          CheckCatalog.unpinnedDependencies, severity: old ? .warning : .hint, file: first.file, line: first.line,
          message: "unpinned in \(first.file): " + unpinned.map { "\($0.name) (line \($0.line))" }.joined(separator: ", ") + age
            + ": a rebuild resolves today's releases",
          advice: [
            DoctorStep(
              "pin-dependencies",
              "Pin " + unpinned.map { "\($0.name)==<the version that worked>" }.joined(separator: ", ") + " in \(first.file) (pip freeze in a working build shows them).")
          ]))
    }
    // Python 3.13+.
    if let python = matter?["python_version"], let version = PackageVersion(python), version.padded(2)[0] == 3, version.padded(2)[1] >= 13 {
      var problems: [String] = []
      var line = matter?.line(of: "python_version") ?? 1
      if let gradio = gradioVersion, gradio.version.release[0] < 5 {
        problems.append("Gradio \(gradio.version) imports audioop (through pydub), removed in Python 3.13")
      }
      if let pydub = requirement("pydub", orPre: true), requirement("audioop-lts", orPre: true) == nil {
        problems.append("pydub (\(pydub.file):\(pydub.line)) imports audioop, removed in Python 3.13 (add audioop-lts)")
      }
      let firstWheels: [(String, String)] = [("numpy", "2.1.0"), ("torch", "2.5.0"), ("pandas", "2.2.3"), ("scipy", "1.14.1"), ("pillow", "11.0.0"), ("tokenizers", "0.20.2")]
      for (name, minimum) in firstWheels {
        guard let pin = requirement(name, orPre: true), let floor = PackageVersion(minimum) else { continue }
        let exact = pin.exactVersion.flatMap(PackageVersion.init)
        let upper = pin.specifiers.first { $0.op == "<" || $0.op == "<=" }.flatMap { PackageVersion($0.version) }
        if let limit = exact ?? upper, limit < floor {
          problems.append("\(pin.name) \(pin.specifiers.map(\.description).joined(separator: ",")) (\(pin.file):\(pin.line)) has no Python 3.13 wheels (first: \(minimum))")
          if problems.count == 1 { line = pin.line }
        }
      }
      if !problems.isEmpty {
        results.append(
          CheckResult(
            CheckCatalog.python313, file: "README.md", line: matter?.line(of: "python_version") ?? line,
            message: "python_version: \(python) with " + problems.joined(separator: "; "),
            advice: [DoctorStep("set-python-version", "Set `python_version: \"3.12\"` (or 3.10) in README.md, or raise those pins to releases with Python \(python) wheels.")]))
      }
    }
    return results
  }

  // MARK: - Start-up

  func startupChecks() -> [CheckResult] {
    guard let app, let appFile else { return [] }
    let early = app.downloads.filter(\.runsAtImport)
    guard let first = early.first, frontMatter?.has("preload_from_hub") != true else { return [] }
    let repos = early.compactMap(\.repo)
    var seen: Set<String> = []
    let unique = repos.filter { seen.insert($0).inserted }
    let list = unique.isEmpty ? "models" : unique.joined(separator: ", ")
    var message = "\(appFile):\(first.line) downloads \(list) at start-up (\(first.text)) and README.md has no preload_from_hub"
    if launchTimedOut { message += "; the runtime shows a launch timeout" }
    var advice = [
      DoctorStep(
        "preload-from-hub",
        "Add `preload_from_hub:` to README.md with " + (unique.isEmpty ? "the model repos" : unique.map { "`- \($0)`" }.joined(separator: ", "))
          + " so they download at build time.")
    ]
    if launchTimedOut {
      advice.append(DoctorStep("raise-startup-timeout", "If start-up is still slow, set `startup_duration_timeout: 1h` in README.md (default 30 min)."))
    }
    return [
      CheckResult(
        CheckCatalog.startupDownloads, severity: launchTimedOut ? .warning : .hint, file: appFile, line: first.line, message: message,
        advice: advice)
    ]
  }
}
