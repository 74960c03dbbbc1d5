import Foundation

/// What the checks need to know about a Space's app file, read from its logical lines.
package struct AppFacts: Sendable {
  /// A statement that touches CUDA.
  package struct CUDAUse: Sendable {
    package var line: Int
    package var text: String
    package var runsAtImport: Bool
    /// Whether the statement (or the device name it uses) asks `torch.cuda.is_available()`
    /// first, so it also runs on a CPU.
    package var guarded: Bool
  }

  /// A `@spaces.GPU` decoration (or a `spaces.GPU(…)` call).
  package struct GPUUse: Sendable {
    package var line: Int
    package var text: String
    /// `duration=N` in seconds when it is a number (or a product/sum of numbers).
    package var duration: Int?
    /// `size="xlarge"` etc.
    package var size: String?
  }

  /// A secret or variable the code reads.
  package struct EnvironmentRead: Sendable {
    package enum Kind: String, Sendable { case environ, getenv, environGet, streamlitSecrets }
    package var name: String
    package var line: Int
    package var kind: Kind
    /// `os.getenv("X", "default")`: the code copes without it.
    package var hasDefault: Bool
    package var text: String
  }

  /// A `from_pretrained` / `snapshot_download` / `hf_hub_download` call.
  package struct Download: Sendable {
    package var line: Int
    package var text: String
    package var repo: String?
    package var runsAtImport: Bool
  }

  /// The first import-time `import spaces` / `from spaces import …`.
  package var spacesImportLine: Int?
  /// Whether `spaces` is imported anywhere (even inside a function).
  package var importsSpaces: Bool
  package var cudaUses: [CUDAUse] = []
  package var gpuUses: [GPUUse] = []
  package var environmentReads: [EnvironmentRead] = []
  package var downloads: [Download] = []
  /// Top-level modules imported (`torch`, `gradio`, …).
  package var importedModules: Set<String> = []

  /// CUDA touched at import time before `import spaces` (or at all when `spaces` is imported
  /// later or never at import time).
  package var cudaBeforeSpaces: [CUDAUse] {
    cudaUses.filter { $0.runsAtImport && $0.line < (spacesImportLine ?? Int.max) }
  }

  /// Whether the code wants a GPU: ZeroGPU code, or CUDA used without an `is_available()` guard.
  package var needsGPU: Bool { importsSpaces || !gpuUses.isEmpty || cudaUses.contains { !$0.guarded } }

  // swiftlint:disable:next function_body_length cyclomatic_complexity
  package init(_ source: PythonSource) {
    var osNames: Set<String> = []
    var environNames: Set<String> = []
    var getenvNames: Set<String> = []
    var streamlitNames: Set<String> = []
    var spacesNames: Set<String> = []
    var gpuNames: Set<String> = []
    var torchNames: Set<String> = []
    var cudaNames: [String: Bool] = [:]  // device variable → guarded
    var spacesImportLine: Int?
    var importsSpaces = false

    for line in source.lines {
      let tokens = line.tokens
      // Imports.
      if line.keyword == "import" {
        for (module, alias) in AppFacts.importClauses(tokens.dropFirst()) {
          let top = String(module.split(separator: ".").first ?? "")
          importedModules.insert(top)
          let bound = alias ?? top
          switch module {
          case "os": osNames.insert(bound)
          case "streamlit": streamlitNames.insert(bound)
          case "spaces": spacesNames.insert(bound)
          case "torch": torchNames.insert(bound)
          default: break
          }
          if top == "spaces" {
            importsSpaces = true
            if line.runsAtImport, spacesImportLine == nil { spacesImportLine = line.line }
          }
        }
      } else if line.keyword == "from", let importIndex = tokens.firstIndex(where: { $0.kind == .name && $0.text == "import" }) {
        let module = tokens[1..<importIndex].map(\.text).joined()
        let top = String(module.split(separator: ".").first ?? "")
        importedModules.insert(top)
        for (name, alias) in AppFacts.importClauses(tokens[(importIndex + 1)...]) {
          let bound = alias ?? name
          if module == "os" && name == "environ" { environNames.insert(bound) }
          if module == "os" && name == "getenv" { getenvNames.insert(bound) }
          if module == "spaces" && name == "GPU" { gpuNames.insert(bound) }
        }
        if top == "spaces" {
          importsSpaces = true
          if line.runsAtImport, spacesImportLine == nil { spacesImportLine = line.line }
        }
      }

      // Device names: `device = "cuda"`, `DEVICE = torch.device("cuda:0")`, `d = "cuda" if … else "cpu"`.
      if tokens.count >= 3, tokens[0].kind == .name, tokens[1].text == "=",
        tokens.contains(where: { $0.kind == .string && $0.text.hasPrefix("cuda") })
      {
        cudaNames[tokens[0].text] = tokens.contains { $0.text == "is_available" }
      }

      // CUDA uses.
      if let guarded = AppFacts.touchesCUDA(tokens, torchNames: torchNames.union(["torch"]), cudaNames: cudaNames) {
        cudaUses.append(CUDAUse(line: line.line, text: line.text, runsAtImport: line.runsAtImport, guarded: guarded))
      }

      // ZeroGPU decorations and calls.
      for (position, token) in tokens.enumerated() where token.kind == .name {
        var isGPU = false
        var after = position + 1
        if token.text == "GPU", position >= 2, tokens[position - 1].text == ".", spacesNames.contains(tokens[position - 2].text) {
          isGPU = true
        } else if gpuNames.contains(token.text), position == 0 || tokens[position - 1].text != "." {
          isGPU = position == 1 && tokens[0].text == "@" || (after < tokens.count && tokens[after].text == "(")
        }
        guard isGPU else { continue }
        var use = GPUUse(line: line.line, text: line.text, duration: nil, size: nil)
        if after < tokens.count, tokens[after].text == "(" {
          let argumentDepth = tokens[after].depth + 1
          after += 1
          while after < tokens.count, !(tokens[after].text == ")" && tokens[after].depth == argumentDepth - 1) {
            if tokens[after].depth == argumentDepth, tokens[after].kind == .name, after + 1 < tokens.count, tokens[after + 1].text == "=" {
              let value = AppFacts.argumentValue(tokens, from: after + 2, depth: argumentDepth)
              if tokens[after].text == "duration" { use.duration = AppFacts.evaluate(value) }
              if tokens[after].text == "size", value.count == 1, value[0].kind == .string { use.size = value[0].text }
            }
            after += 1
          }
        }
        gpuUses.append(use)
      }

      // Environment reads.
      for position in tokens.indices {
        if let read = AppFacts.environmentRead(
          tokens, at: position, osNames: osNames, environNames: environNames, getenvNames: getenvNames,
          streamlitNames: streamlitNames)
        {
          environmentReads.append(EnvironmentRead(name: read.name, line: line.line, kind: read.kind, hasDefault: read.hasDefault, text: line.text))
        }
      }

      // Hub downloads.
      for position in tokens.indices
      where tokens[position].kind == .name
        && ["from_pretrained", "snapshot_download", "hf_hub_download"].contains(tokens[position].text)
        && position + 1 < tokens.count && tokens[position + 1].text == "("
      {
        var repo: String?
        let depth = tokens[position + 1].depth + 1
        if position + 2 < tokens.count, tokens[position + 2].kind == .string, tokens[position + 2].depth == depth {
          repo = tokens[position + 2].text
        } else if let keyword = tokens[(position + 2)...].firstIndex(where: {
          $0.depth == depth && $0.kind == .name && ($0.text == "repo_id" || $0.text == "pretrained_model_name_or_path")
        }), keyword + 2 < tokens.count, tokens[keyword + 1].text == "=", tokens[keyword + 2].kind == .string {
          repo = tokens[keyword + 2].text
        }
        downloads.append(Download(line: line.line, text: line.text, repo: repo, runsAtImport: line.runsAtImport))
      }
    }
    self.spacesImportLine = spacesImportLine
    self.importsSpaces = importsSpaces
  }

  /// `a.b as c, d` / `(b as c, d)` → `[("a.b", "c"), ("d", nil)]`.
  static func importClauses(_ tokens: ArraySlice<PythonToken>) -> [(String, String?)] {
    var clauses: [(String, String?)] = []
    var name = ""
    var alias: String?
    var expectAlias = false
    for token in tokens {
      switch token.text {
      case "(", ")": continue
      case ",":
        if !name.isEmpty { clauses.append((name, alias)) }
        name = ""
        alias = nil
        expectAlias = false
      case "as": expectAlias = true
      default:
        if expectAlias { alias = token.text } else { name += token.text }
      }
    }
    if !name.isEmpty { clauses.append((name, alias)) }
    return clauses
  }

  /// Whether the statement touches CUDA; `true`/`false` says whether it is guarded by
  /// `is_available()`; `nil` when it does not touch CUDA.
  static func touchesCUDA(_ tokens: [PythonToken], torchNames: Set<String>, cudaNames: [String: Bool]) -> Bool? {
    var touches = false
    var guarded = tokens.contains { $0.text == "is_available" }
    for position in tokens.indices {
      let token = tokens[position]
      func next(_ offset: Int) -> PythonToken? { position + offset < tokens.count ? tokens[position + offset] : nil }
      // torch.cuda.<something>
      if token.kind == .name, torchNames.contains(token.text), next(1)?.text == ".", next(2)?.text == "cuda", next(3)?.text == "." {
        touches = true
      }
      // .cuda(
      if token.text == ".", next(1)?.text == "cuda", next(2)?.text == "(" { touches = true }
      // .to("cuda…") / .to(device) / .to(device="cuda")
      if token.text == ".", next(1)?.text == "to", next(2)?.text == "(", let argument = next(3) {
        var value = argument
        if argument.kind == .name, argument.text == "device", next(4)?.text == "=", let keywordValue = next(5) { value = keywordValue }
        if value.kind == .string, value.text.hasPrefix("cuda") { touches = true }
        if value.kind == .name, let isGuarded = cudaNames[value.text] {
          touches = true
          guarded = guarded || isGuarded
        }
      }
      // device_map="cuda" / device="cuda" as a keyword argument
      if token.kind == .name, token.depth > 0, token.text == "device_map" || token.text == "device", next(1)?.text == "=",
        let value = next(2)
      {
        if value.kind == .string, value.text.hasPrefix("cuda") { touches = true }
        if value.kind == .name, let isGuarded = cudaNames[value.text] {
          touches = true
          guarded = guarded || isGuarded
        }
      }
    }
    return touches ? guarded : nil
  }

  /// `os.environ["X"]`, `os.environ.get("X"[, d])`, `os.getenv("X"[, d])`, `environ[…]`,
  /// `getenv(…)`, `st.secrets["X"]`, `st.secrets.get("X")` starting at `position`.
  static func environmentRead(
    _ tokens: [PythonToken], at position: Int, osNames: Set<String>, environNames: Set<String>, getenvNames: Set<String>,
    streamlitNames: Set<String>
  ) -> (name: String, kind: EnvironmentRead.Kind, hasDefault: Bool)? {
    func text(_ offset: Int) -> String? { position + offset < tokens.count ? tokens[position + offset].text : nil }
    func token(_ offset: Int) -> PythonToken? { position + offset < tokens.count ? tokens[position + offset] : nil }
    let first = tokens[position]
    guard first.kind == .name, position == 0 || tokens[position - 1].text != "." else { return nil }
    var rest = 0  // offset of the accessor after the object
    var kind: EnvironmentRead.Kind
    if osNames.contains(first.text), text(1) == ".", text(2) == "environ" {
      rest = 3
      kind = .environ
    } else if osNames.contains(first.text), text(1) == ".", text(2) == "getenv", text(3) == "(" {
      rest = 3
      kind = .getenv
    } else if environNames.contains(first.text) {
      rest = 1
      kind = .environ
    } else if getenvNames.contains(first.text), text(1) == "(" {
      rest = 1
      kind = .getenv
    } else if streamlitNames.contains(first.text), text(1) == ".", text(2) == "secrets" {
      rest = 3
      kind = .streamlitSecrets
    } else {
      return nil
    }
    if kind == .getenv {
      guard let name = token(rest + 1), name.kind == .string else { return nil }
      return (name.text, .getenv, text(rest + 2) == ",")
    }
    if text(rest) == "[", let name = token(rest + 1), name.kind == .string, text(rest + 2) == "]" {
      return (name.text, kind, false)
    }
    if text(rest) == ".", text(rest + 1) == "get", text(rest + 2) == "(", let name = token(rest + 3), name.kind == .string {
      return (name.text, kind == .environ ? .environGet : kind, text(rest + 4) == ",")
    }
    if kind == .streamlitSecrets, text(rest) == ".", let name = token(rest + 1), name.kind == .name, text(rest + 2) != "(" {
      return (name.text, kind, false)
    }
    return nil
  }

  /// The tokens of one keyword argument's value (up to the next `,` or `)` at `depth`).
  static func argumentValue(_ tokens: [PythonToken], from start: Int, depth: Int) -> [PythonToken] {
    var value: [PythonToken] = []
    var index = start
    while index < tokens.count {
      let token = tokens[index]
      if token.depth == depth && token.text == "," { break }
      if token.depth < depth { break }
      value.append(token)
      index += 1
    }
    return value
  }

  /// `300`, `60 * 5`, `120.0`, `3*60+30` → seconds; anything else (a callable, a name) → `nil`.
  static func evaluate(_ tokens: [PythonToken]) -> Int? {
    var total = 0.0
    var term = 1.0
    var expectNumber = true
    for token in tokens {
      if expectNumber {
        guard token.kind == .number, let value = Double(token.text.replacingOccurrences(of: "_", with: "")) else { return nil }
        term *= value
        expectNumber = false
      } else {
        switch token.text {
        case "*": expectNumber = true
        case "+":
          total += term
          term = 1
          expectNumber = true
        default: return nil
        }
      }
    }
    guard !expectNumber else { return nil }
    return Int((total + term).rounded())
  }
}
