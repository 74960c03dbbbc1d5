internal import Foundation

/// Failure shapes that wait for the line after them (a Python exception line printed without
/// its traceback, a Node error line before its `    at` frame) are kept as bytes: most are
/// dropped (a specific entry matched the same line, the next line is no frame), and only those
/// that get named have their type, message and text written.
extension Triage {
  /// A failure read from `text` by entry `index` (of kind `.pythonException` or `.nodeError`),
  /// its strings not written yet.
  func unwrittenFailure(_ index: Int, kind: ShapeKind, text: UnsafeRawBufferPointer, line: Int, attempt: Int)
    -> ShapeFailure
  {
    var failure = ShapeFailure(type: "", message: "", line: line, attempt: attempt, text: "")
    failure.isPython = kind == .pythonException
    failure.isNode = kind == .nodeError
    failure.unwritten = (index, kind)
    failure.bytes.append(contentsOf: text)
    return failure
  }

  /// `failure` with its type, message and text written (as ``shapeMatched(_:text:line:)``
  /// writes them for a failure it names at once).
  func written(_ failure: ShapeFailure) -> ShapeFailure {
    guard let (index, kind) = failure.unwritten else { return failure }
    var result = failure
    result.unwritten = nil
    result.bytes = []
    failure.bytes.withUnsafeBytes { text in
      let captures = matcher.captures(of: index, in: text)
      result.type = captures["type"].flatMap { $0.isEmpty ? nil : $0 } ?? ""
      result.message = captures["message"].flatMap { $0.isEmpty ? nil : $0 } ?? ""
      result.text = evidence(text)
    }
    if kind == .nodeError, let separator = result.text.range(of: ": ") {
      result.message = String(result.text[separator.upperBound...])
    }
    return result
  }
}
