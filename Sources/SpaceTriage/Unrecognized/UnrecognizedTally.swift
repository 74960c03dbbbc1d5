/// The batch's unrecognised templates across inputs: how many inputs and lines had each, and
/// where it was first seen. A bounded table (``capacity`` templates; later new ones are only
/// counted in ``droppedTemplates``), so memory does not grow with the number of inputs.
public struct UnrecognizedTally: Sendable {
  /// Templates kept across a batch.
  public static let capacity = 2048
  /// Templates the JSON summary lists.
  public static let summaryLimit = 20

  /// One template across the batch.
  public struct Entry: Equatable, Sendable {
    public var fingerprint: String
    public var template: String
    /// Inputs whose report lists it.
    public var inputs: Int
    /// Lines with it, in all those inputs.
    public var lines: Int
    /// The first input that had it, and its line there.
    public var exampleSource: String
    public var exampleLine: Int
    /// Order of first appearance (for ties).
    var order: Int
  }

  private var entries: [String: Entry] = [:]
  /// Templates that did not fit in the table.
  public private(set) var droppedTemplates = 0

  public init() {}

  /// Counts one report's unrecognised lines.
  public mutating func add(_ report: Report) {
    for line in report.unrecognized {
      if entries[line.fingerprint] != nil {
        entries[line.fingerprint]!.inputs += 1
        entries[line.fingerprint]!.lines += line.count
      } else if entries.count < UnrecognizedTally.capacity {
        entries[line.fingerprint] = Entry(
          fingerprint: line.fingerprint, template: line.template, inputs: 1, lines: line.count,
          exampleSource: report.source, exampleLine: line.line, order: entries.count)
      } else {
        droppedTemplates += 1
      }
    }
  }

  /// The `limit` templates seen in the most inputs, then with the most lines, then first seen.
  public func top(_ limit: Int) -> [Entry] {
    let sorted = entries.values.sorted { a, b in
      if a.inputs != b.inputs { return a.inputs > b.inputs }
      if a.lines != b.lines { return a.lines > b.lines }
      return a.order < b.order
    }
    return Array(sorted.prefix(limit))
  }
}
