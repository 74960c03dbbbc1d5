import Foundation
import Yams

/// The README.md front matter (the `---` YAML block that configures a Space), with the line of
/// each top-level key.
package struct FrontMatter: Sendable {
  /// Why the front matter could not be read.
  package enum Problem: Sendable, Equatable {
    /// README.md has no `---` block at its top (or is absent).
    case missing
    /// The block is not valid YAML (or not a mapping): the message and its README line.
    case invalid(message: String, line: Int)
  }

  /// Top-level scalar values as written (`sdk_version: 4.40` stays `"4.40"`).
  package var values: [String: String] = [:]
  /// Top-level keys whose value is not a scalar (lists, mappings), e.g. `preload_from_hub`.
  package var structured: Set<String> = []
  /// README line of each top-level key.
  package var lines: [String: Int] = [:]
  /// The README line of the opening `---`.
  package var startLine = 1

  package subscript(key: String) -> String? { values[key] }

  /// The README line of `key`, or the front matter's first line.
  package func line(of key: String) -> Int { lines[key] ?? startLine }

  package func has(_ key: String) -> Bool { values[key] != nil || structured.contains(key) }

  /// Reads the front matter of `readme`.
  package static func parse(_ readme: String) -> Result<FrontMatter, FrontMatterError> {
    let physical = readme.split(separator: "\n", omittingEmptySubsequences: false).map {
      $0.hasSuffix("\r") ? String($0.dropLast()) : String($0)
    }
    var first = 0
    // A byte-order mark or blank lines before the block are tolerated.
    while first < physical.count, physical[first].trimmingCharacters(in: .whitespaces.union(["\u{FEFF}"])).isEmpty { first += 1 }
    guard first < physical.count, physical[first].trimmingCharacters(in: .whitespaces.union(["\u{FEFF}"])) == "---" else {
      return .failure(FrontMatterError(problem: .missing))
    }
    guard let closing = physical[(first + 1)...].firstIndex(where: { $0.trimmingCharacters(in: .whitespaces) == "---" }) else {
      return .failure(FrontMatterError(problem: .invalid(message: "the front matter has no closing `---` line", line: first + 1)))
    }
    let yaml = physical[(first + 1)..<closing].joined(separator: "\n")
    var matter = FrontMatter()
    matter.startLine = first + 1
    let node: Node?
    do {
      node = try Yams.compose(yaml: yaml)
    } catch let error as YamlError {
      return .failure(FrontMatterError(problem: .invalid(message: FrontMatter.describe(error), line: first + 1 + FrontMatter.line(of: error))))
    } catch {
      return .failure(FrontMatterError(problem: .invalid(message: "\(error)", line: first + 1)))
    }
    guard let node else { return .success(matter) }  // an empty block
    guard case .mapping(let mapping) = node else {
      return .failure(FrontMatterError(problem: .invalid(message: "the front matter is not a mapping of keys to values", line: first + 2)))
    }
    for (key, value) in mapping {
      guard let name = key.scalar?.string else { continue }
      if let mark = key.mark { matter.lines[name] = first + 1 + mark.line }
      if case .scalar(let scalar) = value {
        matter.values[name] = scalar.string
      } else {
        matter.structured.insert(name)
      }
    }
    return .success(matter)
  }

  static func line(of error: YamlError) -> Int {
    switch error {
    case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _): return mark.line
    default: return 1
    }
  }

  static func describe(_ error: YamlError) -> String {
    switch error {
    case .scanner(let context, let problem, _, _), .parser(let context, let problem, _, _), .composer(let context, let problem, _, _):
      return [context.map { "\($0.text)" }, problem].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: ": ")
    default: return "\(error)"
    }
  }
}

/// Why README.md's front matter could not be used.
package struct FrontMatterError: Error, Sendable {
  package var problem: FrontMatter.Problem
}
