import Foundation

/// A PEP 440 version, as far as pins in a Space need it: the release numbers, a pre-release
/// (`a`, `b`, `rc`), `.post` and `.dev`. Compares like pip does for those.
package struct PackageVersion: Comparable, Sendable, CustomStringConvertible {
  /// `1.2.3` → `[1, 2, 3]`.
  package var release: [Int]
  /// `a`=0, `b`=1, `rc`=2 with its number; `nil` for a final release.
  package var pre: (kind: Int, number: Int)?
  package var post: Int?
  package var dev: Int?
  /// The text it was read from.
  package var description: String

  /// Reads `1.2.3`, `v4.0`, `5.0.0b3`, `2.1rc1`, `1.0.post2`, `3.0.dev1`, `1.2.3+local`.
  package init?(_ text: String) {
    var rest = Substring(text.trimmingCharacters(in: .whitespaces).lowercased())
    description = String(rest)
    if rest.hasPrefix("v") { rest = rest.dropFirst() }
    if let plus = rest.firstIndex(of: "+") { rest = rest[..<plus] }
    var release: [Int] = []
    while let digit = rest.first, digit.isASCII, digit.isNumber {
      let number = rest.prefix { $0.isASCII && $0.isNumber }
      guard let value = Int(number) else { return nil }
      release.append(value)
      rest = rest.dropFirst(number.count)
      if rest.first == ".", rest.dropFirst().first?.isNumber == true { rest = rest.dropFirst() } else { break }
    }
    guard !release.isEmpty else { return nil }
    self.release = release
    func number(after prefixes: [String]) -> Int?? {
      var probe = rest
      if probe.first == "." || probe.first == "-" || probe.first == "_" { probe = probe.dropFirst() }
      for prefix in prefixes where probe.hasPrefix(prefix) {
        probe = probe.dropFirst(prefix.count)
        if probe.first == "." || probe.first == "-" { probe = probe.dropFirst() }
        let digits = probe.prefix { $0.isASCII && $0.isNumber }
        rest = probe.dropFirst(digits.count)
        return .some(Int(digits) ?? 0)
      }
      return .none
    }
    pre = nil
    for (kind, prefixes) in [(2, ["rc", "c", "pre", "preview"]), (0, ["alpha", "a"]), (1, ["beta", "b"])] {
      if case .some(let value) = number(after: prefixes) {
        pre = (kind, value ?? 0)
        break
      }
    }
    if case .some(let value) = number(after: ["post", "rev", "r"]) { post = value } else { post = nil }
    if case .some(let value) = number(after: ["dev"]) { dev = value } else { dev = nil }
    guard rest.isEmpty else { return nil }
  }

  /// The release padded with zeros to `count` numbers.
  func padded(_ count: Int) -> [Int] { release + Array(repeating: 0, count: max(0, count - release.count)) }

  private var key: [Int] {
    let width = 6
    var key = padded(width).prefix(width).map { $0 }
    // dev-only < pre < final < post; within a pre, kind then number.
    if let pre { key += [0, pre.kind, pre.number] } else if dev != nil && post == nil { key += [-1, 0, 0] } else { key += [1, 0, 0] }
    key += [post ?? -1]
    key += [dev ?? Int.max]
    return key
  }

  package static func < (lhs: PackageVersion, rhs: PackageVersion) -> Bool { lhs.key.lexicographicallyPrecedes(rhs.key) }
  package static func == (lhs: PackageVersion, rhs: PackageVersion) -> Bool { lhs.key == rhs.key }

  /// Whether this is a pre-release or development release.
  package var isPrerelease: Bool { pre != nil || dev != nil }
}

/// One version clause of a requirement: `==5.12.0`, `>=4`, `~=2.1`, `==4.*`.
package struct VersionSpecifier: Sendable, Equatable, CustomStringConvertible {
  package var op: String
  package var version: String
  package var description: String { op + version }

  /// Whether `candidate` satisfies this clause (PEP 440; `==X.*` prefix matches; `===` exact text).
  package func admits(_ candidate: PackageVersion) -> Bool {
    if op == "===" { return candidate.description == version.lowercased() }
    if op == "==" || op == "!=", version.hasSuffix(".*") {
      guard let prefix = PackageVersion(String(version.dropLast(2))) else { return true }
      let matches = Array(candidate.padded(prefix.release.count).prefix(prefix.release.count)) == prefix.release
      return op == "==" ? matches : !matches
    }
    guard let bound = PackageVersion(version) else { return true }
    switch op {
    case "==": return candidate == bound
    case "!=": return candidate != bound
    case ">=": return candidate >= bound
    case "<=": return candidate <= bound
    case ">": return candidate > bound
    case "<": return candidate < bound && !(candidate.isPrerelease && !bound.isPrerelease && candidate.release == bound.release)
    case "~=":
      guard bound.release.count >= 2 else { return candidate >= bound }
      let prefix = Array(bound.release.dropLast())
      return candidate >= bound && Array(candidate.padded(prefix.count).prefix(prefix.count)) == prefix
    default: return true
    }
  }
}

/// One requirement line of a requirements file.
package struct Requirement: Sendable, Equatable {
  /// The name as written.
  package var name: String
  /// The PEP 503 normalised name: lower case, runs of `-`, `_`, `.` as one `-`.
  package var normalizedName: String
  package var extras: [String]
  package var specifiers: [VersionSpecifier]
  /// The environment marker after `;`, if any.
  package var marker: String?
  /// A direct URL (`name @ URL`, `git+…`, a wheel URL), if any.
  package var url: String?
  /// The file it was read from and its (first) line, 1-based.
  package var file: String
  package var line: Int

  /// `==X` (not a wildcard), `===X`, `~=X`, an upper bound `<`/`<=`, or a URL: a fresh build
  /// cannot pick up a new major release.
  package var isPinned: Bool {
    url != nil || specifiers.contains { ["===", "~=", "<", "<="].contains($0.op) || ($0.op == "==" && !$0.version.hasSuffix(".*")) }
  }

  /// The exact version for `==X`/`===X`, if pinned so.
  package var exactVersion: String? {
    specifiers.first { ($0.op == "==" || $0.op == "===") && !$0.version.hasSuffix(".*") }?.version
  }

  /// Whether every clause admits `version`.
  package func admits(_ version: PackageVersion) -> Bool { specifiers.allSatisfy { $0.admits(version) } }

  /// Whether the marker (if any) can hold on the Spaces Linux images. Only platform markers are
  /// judged; anything else counts as applicable.
  package var appliesOnLinux: Bool {
    guard let marker else { return true }
    let compact = marker.filter { !$0.isWhitespace }.replacingOccurrences(of: "'", with: "\"")
    for other in ["\"win32\"", "\"darwin\"", "\"Windows\"", "\"Darwin\"", "\"cygwin\""] {
      for key in ["sys_platform==", "platform_system=="] where compact.contains(key + other) { return false }
    }
    for key in ["sys_platform!=\"linux\"", "platform_system!=\"Linux\""] where compact.contains(key) { return false }
    return true
  }

  /// PEP 503 normalisation.
  package static func normalize(_ name: String) -> String {
    var out = ""
    var lastWasSeparator = false
    for character in name.lowercased() {
      if character == "-" || character == "_" || character == "." {
        if !lastWasSeparator { out.append("-") }
        lastWasSeparator = true
      } else {
        out.append(character)
        lastWasSeparator = false
      }
    }
    return out
  }
}

/// Reads pip requirements files: comments, `\` continuations, options (`-r`/`--requirement`
/// includes, `-c`, `-e`, index and find-links options), PEP 508 lines (name, extras, version
/// clauses with or without parentheses, markers, `name @ URL`), bare URLs and `git+` lines
/// (the name from `#egg=` or the wheel file name).
package struct RequirementsParser {
  /// Returns a file's text by its path relative to the repository root, or `nil` when absent.
  package var load: (String) -> String?

  package init(load: @escaping (String) -> String?) { self.load = load }

  /// What a requirements file declares, includes followed (each file once).
  package struct Result: Sendable {
    package var requirements: [Requirement] = []
    /// Files read, in order (the root first).
    package var files: [String] = []
    /// `-r` includes that could not be read: (file, line, included path).
    package var missingIncludes: [(file: String, line: Int, path: String)] = []
  }

  /// Parses `path` and what it includes.
  package func parse(_ path: String) -> Result {
    var result = Result()
    var seen: Set<String> = []
    parse(path, into: &result, seen: &seen)
    return result
  }

  private func parse(_ path: String, into result: inout Result, seen: inout Set<String>) {
    guard !seen.contains(path) else { return }
    seen.insert(path)
    guard let text = load(path) else { return }
    result.files.append(path)
    for (line, content) in RequirementsParser.logicalLines(text) {
      let tokens = content.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
      guard let first = tokens.first else { continue }
      if first.hasPrefix("-") {
        var option = first
        var value = tokens.count > 1 ? tokens[1] : nil
        if let equals = first.firstIndex(of: "="), first.hasPrefix("--") {
          option = String(first[..<equals])
          value = String(first[first.index(after: equals)...])
        } else if first.count > 2, !first.hasPrefix("--") {
          option = String(first.prefix(2))
          value = String(first.dropFirst(2))
        }
        switch option {
        case "-r", "--requirement":
          guard let value else { continue }
          let included = RequirementsParser.join(directoryOf: path, value)
          if load(included) == nil {
            result.missingIncludes.append((path, line, value))
          } else {
            parse(included, into: &result, seen: &seen)
          }
        case "-e", "--editable":
          if let value, var requirement = RequirementsParser.requirement(value, file: path, line: line) {
            if requirement.url == nil { requirement.url = value }
            result.requirements.append(requirement)
          }
        default:
          continue  // -c, -i, --index-url, --extra-index-url, -f, --pre, --no-binary, …
        }
        continue
      }
      if let requirement = RequirementsParser.requirement(content, file: path, line: line) {
        result.requirements.append(requirement)
      }
    }
  }

  /// `dir/of/path` + `other` (a path relative to the including file).
  static func join(directoryOf path: String, _ other: String) -> String {
    guard !other.hasPrefix("/"), let slash = path.lastIndex(of: "/") else { return other }
    return String(path[...slash]) + other
  }

  /// The logical lines of a requirements file with their first physical line (1-based):
  /// continuations joined, comments (`#` at the start or after whitespace) removed, blank lines
  /// dropped.
  static func logicalLines(_ text: String) -> [(Int, String)] {
    var lines: [(Int, String)] = []
    var pending = ""
    var pendingLine = 0
    for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
      var physical = String(raw)
      if physical.hasSuffix("\r") { physical.removeLast() }
      physical = stripComment(physical)
      if pending.isEmpty { pendingLine = index + 1 }
      if physical.hasSuffix("\\") {
        pending += physical.dropLast() + " "
        continue
      }
      pending += physical
      let trimmed = pending.trimmingCharacters(in: .whitespaces)
      if !trimmed.isEmpty { lines.append((pendingLine, trimmed)) }
      pending = ""
    }
    let trimmed = pending.trimmingCharacters(in: .whitespaces)
    if !trimmed.isEmpty { lines.append((pendingLine, trimmed)) }
    return lines
  }

  private static func stripComment(_ line: String) -> String {
    var previous: Character = " "
    for index in line.indices {
      if line[index] == "#", previous == " " || previous == "\t" { return String(line[..<index]) }
      previous = line[index]
    }
    return line
  }

  private static let urlSchemes = ["git+", "hg+", "svn+", "bzr+", "http://", "https://", "file:"]

  /// One PEP 508 requirement (or URL line); `nil` when it names no package.
  static func requirement(_ text: String, file: String, line: Int) -> Requirement? {
    var body = text
    var marker: String?
    // A marker follows `;` (for URLs: `; ` with a space before, as pip requires).
    let isURL = urlSchemes.contains { body.hasPrefix($0) }
    if isURL {
      if let range = body.range(of: " ;") ?? body.range(of: "; ") {
        marker = String(body[range.upperBound...]).trimmingCharacters(in: .whitespaces)
        body = String(body[..<range.lowerBound])
      }
      guard let name = nameFromURL(body) else { return nil }
      return Requirement(
        name: name, normalizedName: Requirement.normalize(name), extras: [], specifiers: [], marker: marker,
        url: body.trimmingCharacters(in: .whitespaces), file: file, line: line)
    }
    // Per-requirement options (`--hash=…`, `--global-option …`) follow the requirement.
    if let option = body.range(of: " --") ?? body.range(of: "\t--") { body = String(body[..<option.lowerBound]) }
    if let semicolon = body.firstIndex(of: ";") {
      marker = String(body[body.index(after: semicolon)...]).trimmingCharacters(in: .whitespaces)
      body = String(body[..<semicolon])
    }
    var rest = Substring(body).drop { $0 == " " }
    let name = rest.prefix { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." }
    guard let first = name.first, first.isLetter || first.isNumber else { return nil }
    rest = rest.dropFirst(name.count).drop { $0 == " " }
    var extras: [String] = []
    if rest.first == "[" {
      guard let close = rest.firstIndex(of: "]") else { return nil }
      extras = rest[rest.index(after: rest.startIndex)..<close].split(separator: ",").map {
        $0.trimmingCharacters(in: .whitespaces)
      }.filter { !$0.isEmpty }
      rest = rest[rest.index(after: close)...].drop { $0 == " " }
    }
    var url: String?
    var specifiers: [VersionSpecifier] = []
    if rest.first == "@" {
      url = rest.dropFirst().trimmingCharacters(in: .whitespaces)
    } else {
      var clauses = rest.trimmingCharacters(in: .whitespaces)
      if clauses.hasPrefix("("), clauses.hasSuffix(")") { clauses = String(clauses.dropFirst().dropLast()) }
      for clause in clauses.split(separator: ",") {
        let trimmed = clause.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { continue }
        let op = ["===", "~=", "==", "!=", "<=", ">=", "<", ">"].first { trimmed.hasPrefix($0) }
        guard let op else { return nil }  // not a requirement line
        let version = trimmed.dropFirst(op.count).trimmingCharacters(in: .whitespaces)
        specifiers.append(VersionSpecifier(op: op, version: version))
      }
    }
    return Requirement(
      name: String(name), normalizedName: Requirement.normalize(String(name)), extras: extras,
      specifiers: specifiers, marker: marker, url: url, file: file, line: line)
  }

  /// `…#egg=name`, or a wheel/sdist file name (`name-1.0-py3-none-any.whl`, `name-1.0.tar.gz`).
  static func nameFromURL(_ url: String) -> String? {
    if let egg = url.range(of: "#egg=") ?? url.range(of: "&egg=") {
      let name = url[egg.upperBound...].prefix { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." }
      return name.isEmpty ? nil : String(name)
    }
    var path = url
    if let cut = path.firstIndex(where: { $0 == "#" || $0 == "?" }) { path = String(path[..<cut]) }
    let fileName = path.split(separator: "/").last.map(String.init) ?? ""
    for suffix in [".whl", ".tar.gz", ".zip", ".tar.bz2"] where fileName.hasSuffix(suffix) {
      let stem = fileName.dropLast(suffix.count)
      if let dash = stem.firstIndex(of: "-") { return String(stem[..<dash]) }
      return String(stem)
    }
    if url.hasPrefix("git+") || url.hasPrefix("hg+") {
      var last = fileName
      if last.hasSuffix(".git") { last = String(last.dropLast(4)) }
      if let at = last.firstIndex(of: "@") { last = String(last[..<at]) }
      return last.isEmpty ? nil : last
    }
    return nil
  }
}
