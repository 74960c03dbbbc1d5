public import Foundation
internal import Yams

/// Reads catalog YAML files into ``Signature``s, strictly.
///
/// Unknown keys, missing keys, wrong types and unknown values are errors that name the file,
/// line and column (from Yams' marks) and the entry id. This is the only file that imports Yams.
public enum CatalogLoader {
  /// Keys an entry may have.
  static let allowedKeys: Set<String> = [
    "id", "title", "stage", "class", "priority", "pattern", "caseless", "anchored", "effect",
    "literals", "advice", "must-match", "must-not-match",
  ]

  /// Loads every `*.yaml` / `*.yml` file of `directory`, sorted by file name.
  public static func loadDirectory(_ directory: URL) throws -> Catalog {
    let names: [String]
    do {
      names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
    } catch {
      throw CatalogDiagnostics([
        CatalogDiagnostic(
          location: SourceLocation(file: directory.path, line: 0, column: 0),
          message: "cannot read catalog folder")
      ])
    }
    let files = names.filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted()
    if files.isEmpty {
      throw CatalogDiagnostics([
        CatalogDiagnostic(
          location: SourceLocation(file: directory.path, line: 0, column: 0),
          message: "no *.yaml catalog files in this folder")
      ])
    }
    var signatures: [Signature] = []
    var problems: [CatalogDiagnostic] = []
    for name in files {
      let path = directory.appendingPathComponent(name).path
      do {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let (loaded, fileProblems) = parse(yaml: text, file: path)
        signatures += loaded
        problems += fileProblems
      } catch {
        problems.append(
          CatalogDiagnostic(
            location: SourceLocation(file: path, line: 0, column: 0),
            message: "cannot read file as UTF-8 text"))
      }
    }
    problems += duplicateIDs(in: signatures)
    if !problems.isEmpty { throw CatalogDiagnostics(problems) }
    return Catalog(signatures: signatures, files: files.map { directory.appendingPathComponent($0).path })
  }

  /// Parses one file's text. Returns the entries that are valid and the problems found.
  public static func parse(yaml: String, file: String) -> ([Signature], [CatalogDiagnostic]) {
    var reader = EntryReader(file: file, yaml: yaml)
    let root: Node?
    do {
      root = try Yams.compose(yaml: yaml, .basic)
    } catch let error as YamlError {
      return ([], [reader.diagnostic(for: error)])
    } catch {
      return ([], [CatalogDiagnostic(location: reader.location(nil), message: "\(error)")])
    }
    guard let root, let top = root.mapping else {
      return ([], [CatalogDiagnostic(location: reader.location(root?.mark), message: "a catalog file is a mapping with `schema` and `signatures`")])
    }
    var signatures: [Signature] = []
    var sawSchema = false
    var sawSignatures = false
    for (keyNode, value) in top {
      let key = keyNode.string ?? ""
      switch key {
      case "schema":
        sawSchema = true
        if value.int != Catalog.schemaVersion {
          reader.problem(at: value.mark, "unknown schema version `\(value.string ?? "?")`; this build reads schema \(Catalog.schemaVersion)")
        }
      case "signatures":
        sawSignatures = true
        guard let entries = value.sequence else {
          reader.problem(at: value.mark, "`signatures` must be a list of entries")
          continue
        }
        for entry in entries {
          if let signature = reader.signature(from: entry) { signatures.append(signature) }
        }
      default:
        reader.problem(at: keyNode.mark, "unknown key `\(key)` (expected `schema` and `signatures`)")
      }
    }
    if !sawSchema { reader.problem(at: root.mark, "missing `schema: \(Catalog.schemaVersion)`") }
    if !sawSignatures { reader.problem(at: root.mark, "missing `signatures`") }
    return (signatures, reader.problems)
  }

  /// One diagnostic per id defined more than once within the same load.
  static func duplicateIDs(in signatures: [Signature]) -> [CatalogDiagnostic] {
    var firstSeen: [String: SourceLocation] = [:]
    var problems: [CatalogDiagnostic] = []
    for signature in signatures {
      if let first = firstSeen[signature.id] {
        problems.append(
          CatalogDiagnostic(
            location: signature.location, entry: signature.id,
            message: "duplicate id (first defined at \(first))"))
      } else {
        firstSeen[signature.id] = signature.location
      }
    }
    return problems
  }
}

/// Reads entries from Yams nodes, collecting problems instead of stopping at the first.
private struct EntryReader {
  let file: String
  let yaml: String
  var problems: [CatalogDiagnostic] = []

  init(file: String, yaml: String) {
    self.file = file
    self.yaml = yaml
  }

  /// Whether `id` is `area.kebab-name`: two dot-separated parts of lower-case letters and
  /// digits, each made of words joined by single hyphens.
  static func isValidID(_ id: String) -> Bool {
    let parts = id.utf8.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
    return parts.count == 2
      && parts.allSatisfy { part in
        part.split(separator: UInt8(ascii: "-"), omittingEmptySubsequences: false).allSatisfy { word in
          !word.isEmpty && word.allSatisfy { (0x61...0x7A).contains($0) || (0x30...0x39).contains($0) }
        }
      }
  }

  func location(_ mark: Mark?) -> SourceLocation {
    SourceLocation(file: file, line: mark?.line ?? 1, column: mark?.column ?? 1)
  }

  /// The source line of `location` with a caret under its column.
  func snippet(_ location: SourceLocation) -> String? {
    // Split only now: a catalog without problems never needs its lines.
    let lines = yaml.split(separator: "\n", omittingEmptySubsequences: false)
    guard location.line >= 1, location.line <= lines.count else { return nil }
    let line = lines[location.line - 1]
    let pad = String(repeating: " ", count: max(0, location.column - 1))
    return "  \(line)\n  \(pad)^"
  }

  mutating func problem(at mark: Mark?, entry: String? = nil, _ message: String) {
    let where_ = location(mark)
    problems.append(CatalogDiagnostic(location: where_, entry: entry, message: message, snippet: snippet(where_)))
  }

  func diagnostic(for error: YamlError) -> CatalogDiagnostic {
    switch error {
    case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _),
      .composer(_, let problem, let mark, _):
      let where_ = location(mark)
      return CatalogDiagnostic(location: where_, message: "invalid YAML: \(problem)", snippet: snippet(where_))
    default:
      return CatalogDiagnostic(location: location(nil), message: "invalid YAML: \(error)")
    }
  }

  mutating func signature(from node: Node) -> Signature? {
    guard let mapping = node.mapping else {
      problem(at: node.mark, "an entry must be a mapping with `id`, `pattern`, …")
      return nil
    }
    var fields: [String: Node] = [:]
    var keyMarks: [String: Mark?] = [:]
    for (keyNode, value) in mapping {
      let key = keyNode.string ?? ""
      fields[key] = value
      keyMarks[key] = keyNode.mark
    }
    let id = fields["id"]?.scalar?.string
    let before = problems.count
    for (key, mark) in keyMarks where !CatalogLoader.allowedKeys.contains(key) {
      problem(at: mark, entry: id, "unknown key `\(key)`")
    }
    guard let id else {
      problem(at: node.mark, "entry without `id`")
      return nil
    }
    if !EntryReader.isValidID(id) {
      problem(at: fields["id"]?.mark, entry: id, "id must be `area.kebab-name` in lower case")
    }
    func string(_ key: String, required: Bool = true) -> String? {
      guard let node = fields[key] else {
        if required { problem(at: mapping.mark, entry: id, "missing `\(key)`") }
        return nil
      }
      guard let value = node.scalar?.string else {
        problem(at: node.mark, entry: id, "`\(key)` must be a string")
        return nil
      }
      return value
    }
    func bool(_ key: String) -> Bool {
      guard let node = fields[key] else { return false }
      guard let value = node.bool else {
        problem(at: node.mark, entry: id, "`\(key)` must be true or false")
        return false
      }
      return value
    }
    func enumValue<T: RawRepresentable & CaseIterable>(_ key: String, _: T.Type, default value: T? = nil) -> T?
    where T.RawValue == String {
      guard let raw = string(key, required: value == nil) else { return value }
      guard let parsed = T(rawValue: raw) else {
        let allowed = T.allCases.map(\.rawValue).joined(separator: ", ")
        problem(at: fields[key]?.mark, entry: id, "unknown \(key) `\(raw)` (one of: \(allowed))")
        return nil
      }
      return parsed
    }
    func examples(_ key: String) -> [CatalogExample] {
      guard let node = fields[key] else {
        problem(at: mapping.mark, entry: id, "missing `\(key)` examples")
        return []
      }
      guard let items = node.sequence else {
        problem(at: node.mark, entry: id, "`\(key)` must be a list of lines")
        return []
      }
      return items.compactMap { item in
        guard let text = item.scalar?.string else {
          problem(at: item.mark, entry: id, "`\(key)` items must be strings")
          return nil
        }
        return CatalogExample(text: text, location: location(item.mark))
      }
    }
    let title = string("title")
    let stage = enumValue("stage", Stage.self)
    let signatureClass = enumValue("class", SignatureClass.self)
    let effect = enumValue("effect", Effect.self, default: .stage)
    let pattern = string("pattern")
    var priority = Signature.defaultPriority
    if let node = fields["priority"] {
      if let value = node.int {
        priority = value
      } else {
        problem(at: node.mark, entry: id, "`priority` must be an integer")
      }
    }
    var literals: [String] = []
    if let node = fields["literals"] {
      if let items = node.sequence?.compactMap({ $0.scalar?.string }), items.count == node.sequence?.count {
        literals = items
      } else {
        problem(at: node.mark, entry: id, "`literals` must be a list of strings")
      }
    }
    var advice: [AdviceStep] = []
    if let node = fields["advice"] {
      if let steps = node.sequence {
        for step in steps {
          guard let stepMap = step.mapping, let action = stepMap["action"]?.string,
            let text = stepMap["text"]?.string, stepMap.count == 2
          else {
            problem(at: step.mark, entry: id, "an advice step is `{action: …, text: …}`")
            continue
          }
          advice.append(AdviceStep(action: action, text: text))
        }
      } else {
        problem(at: node.mark, entry: id, "`advice` must be a list of `{action, text}` steps")
      }
    }
    if let signatureClass, signatureClass.isFailure, advice.isEmpty {
      problem(at: mapping.mark, entry: id, "a \(signatureClass.rawValue) entry needs `advice`")
    }
    if let signatureClass, signatureClass.isFailure, fields["effect"] != nil {
      problem(at: fields["effect"]?.mark, entry: id, "`effect` is for info entries only")
    }
    let mustMatch = examples("must-match")
    let mustNotMatch = examples("must-not-match")
    guard problems.count == before, let title, let stage, let signatureClass, let effect, let pattern
    else { return nil }
    return Signature(
      id: id, title: title, stage: stage, signatureClass: signatureClass, priority: priority,
      pattern: pattern, caseless: bool("caseless"), anchored: bool("anchored"), effect: effect,
      literals: literals, advice: advice, mustMatch: mustMatch, mustNotMatch: mustNotMatch,
      location: location(mapping.mark), patternLocation: patternLocation(fields["pattern"]))
  }

  /// Where the first character of the pattern's text is: one past the opening quote.
  func patternLocation(_ node: Node?) -> SourceLocation {
    var where_ = location(node?.mark)
    if let style = node?.scalar?.style, style == .singleQuoted || style == .doubleQuoted {
      where_.column += 1
    }
    return where_
  }
}
