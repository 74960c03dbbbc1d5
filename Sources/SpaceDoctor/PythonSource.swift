import Foundation

/// A Python token, as far as the checks need it.
package struct PythonToken: Sendable, Equatable {
  package enum Kind: Sendable, Equatable { case name, string, number, op }
  package var kind: Kind
  /// The token's text; for strings, the text between the quotes (escapes left as written).
  package var text: String
  /// 1-based physical line.
  package var line: Int
  /// Bracket depth at the token (0 outside any `(`, `[`, `{`).
  package var depth: Int
}

/// One logical line of Python: a statement (or a compound statement's header), its tokens and
/// where it sits.
package struct LogicalLine: Sendable {
  /// First physical line, 1-based.
  package var line: Int
  /// Indentation width of the first line (a tab counts to the next multiple of 8).
  package var indent: Int
  package var tokens: [PythonToken]
  /// Whether the statement runs when the module is imported: it is in no `def` body (module
  /// level, or inside `if`/`with`/`try`/`for` blocks and class bodies at module level).
  package var runsAtImport: Bool
  /// Whether it is at indentation 0.
  package var isModuleLevel: Bool { indent == 0 }
  /// The first physical line's text, trimmed (for evidence).
  package var text: String

  /// Whether the line is a compound statement header opening a block (ends with `:`).
  var opensBlock: Bool { tokens.last.map { $0.kind == .op && $0.text == ":" } ?? false }
  var keyword: String? { tokens.first.flatMap { $0.kind == .name ? $0.text : nil } }
}

/// A Python file as logical lines, read with a small tokenizer: comments, strings (prefixes,
/// single, double and triple quotes, escapes), `\` continuations and brackets are honoured, so
/// nothing inside a string or a comment is mistaken for code, and a call spread over several
/// lines is one statement.
package struct PythonSource: Sendable {
  package var lines: [LogicalLine]

  package init(_ text: String) {
    let bytes = Array(text.utf8)
    let physical = text.split(separator: "\n", omittingEmptySubsequences: false).map {
      String($0).trimmingCharacters(in: .whitespacesAndNewlines)
    }
    var lines: [LogicalLine] = []
    var tokens: [PythonToken] = []
    var depth = 0
    var line = 1
    var index = 0
    var atLineStart = true
    var indent = 0
    var firstLine = 1

    func finishLine() {
      if !tokens.isEmpty {
        let evidence = firstLine - 1 < physical.count ? String(physical[firstLine - 1].prefix(200)) : ""
        lines.append(LogicalLine(line: firstLine, indent: indent, tokens: tokens, runsAtImport: true, text: evidence))
      }
      tokens = []
      atLineStart = true
    }

    func isNameByte(_ byte: UInt8) -> Bool {
      (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x30 && byte <= 0x39) || byte == 0x5F || byte >= 0x80
    }

    while index < bytes.count {
      if atLineStart {
        // Measure indentation; blank and comment-only lines are skipped whole.
        var width = 0
        var probe = index
        while probe < bytes.count, bytes[probe] == 0x20 || bytes[probe] == 0x09 || bytes[probe] == 0x0C {
          width = bytes[probe] == 0x09 ? (width / 8 + 1) * 8 : width + 1
          probe += 1
        }
        if probe >= bytes.count { break }
        if bytes[probe] == 0x0A || bytes[probe] == 0x0D || bytes[probe] == 0x23 {
          while probe < bytes.count, bytes[probe] != 0x0A { probe += 1 }
          index = probe + 1
          line += 1
          continue
        }
        indent = width
        firstLine = line
        index = probe
        atLineStart = false
      }
      let byte = bytes[index]
      switch byte {
      case 0x0A:
        line += 1
        index += 1
        if depth == 0 { finishLine() }
      case 0x20, 0x09, 0x0C, 0x0D:
        index += 1
      case 0x23:  // comment
        while index < bytes.count, bytes[index] != 0x0A { index += 1 }
      case 0x5C:  // backslash continuation
        var probe = index + 1
        if probe < bytes.count, bytes[probe] == 0x0D { probe += 1 }
        if probe < bytes.count, bytes[probe] == 0x0A {
          line += 1
          index = probe + 1
        } else {
          index += 1
        }
      case 0x22, 0x27:
        let (value, end, newlines) = PythonSource.readString(bytes, quoteAt: index)
        tokens.append(PythonToken(kind: .string, text: value, line: line, depth: depth))
        line += newlines
        index = end
      case 0x30...0x39:
        let start = index
        while index < bytes.count, isNameByte(bytes[index]) || bytes[index] == 0x2E { index += 1 }
        tokens.append(PythonToken(kind: .number, text: String(decoding: bytes[start..<index], as: UTF8.self), line: line, depth: depth))
      case _ where isNameByte(byte):
        let start = index
        while index < bytes.count, isNameByte(bytes[index]) { index += 1 }
        // A string prefix (r, b, u, f, t and pairs) directly before a quote.
        if index < bytes.count, bytes[index] == 0x22 || bytes[index] == 0x27, index - start <= 2,
          bytes[start..<index].allSatisfy({ "rRbBuUfFtT".utf8.contains($0) })
        {
          let (value, end, newlines) = PythonSource.readString(bytes, quoteAt: index)
          tokens.append(PythonToken(kind: .string, text: value, line: line, depth: depth))
          line += newlines
          index = end
        } else {
          tokens.append(PythonToken(kind: .name, text: String(decoding: bytes[start..<index], as: UTF8.self), line: line, depth: depth))
        }
      default:
        var length = 1
        if index + 1 < bytes.count {
          let pair = String(decoding: bytes[index...index + 1], as: UTF8.self)
          if ["==", "!=", "<=", ">=", ":=", "->", "**", "//", "+=", "-=", "*=", "/="].contains(pair) { length = 2 }
        }
        let text = String(decoding: bytes[index..<index + length], as: UTF8.self)
        if text == "(" || text == "[" || text == "{" {
          tokens.append(PythonToken(kind: .op, text: text, line: line, depth: depth))
          depth += 1
        } else if text == ")" || text == "]" || text == "}" {
          depth = max(0, depth - 1)
          tokens.append(PythonToken(kind: .op, text: text, line: line, depth: depth))
        } else {
          tokens.append(PythonToken(kind: .op, text: text, line: line, depth: depth))
        }
        index += length
      }
    }
    finishLine()

    // Blocks: a `def` body does not run at import; everything else at module level does.
    var stack: [(indent: Int, isFunction: Bool)] = []
    for position in lines.indices {
      let current = lines[position]
      while let top = stack.last, top.indent >= current.indent { stack.removeLast() }
      lines[position].runsAtImport = !stack.contains { $0.isFunction }
      if current.opensBlock {
        let isFunction = current.keyword == "def" || (current.keyword == "async" && current.tokens.dropFirst().first?.text == "def")
        stack.append((current.indent, isFunction))
      }
    }
    self.lines = lines
  }

  /// Reads a string literal starting at the quote at `start`.
  /// - Returns: its contents, the index after it and the newlines it spans.
  static func readString(_ bytes: [UInt8], quoteAt start: Int) -> (String, Int, Int) {
    let quote = bytes[start]
    let triple = start + 2 < bytes.count && bytes[start + 1] == quote && bytes[start + 2] == quote
    var index = start + (triple ? 3 : 1)
    let contentStart = index
    var newlines = 0
    while index < bytes.count {
      let byte = bytes[index]
      if byte == 0x5C {
        if index + 1 < bytes.count, bytes[index + 1] == 0x0A { newlines += 1 }
        index += 2
        continue
      }
      if byte == 0x0A {
        if !triple { break }  // an unterminated string ends at the line's end
        newlines += 1
      }
      if byte == quote {
        if !triple {
          return (String(decoding: bytes[contentStart..<index], as: UTF8.self), index + 1, newlines)
        }
        if index + 2 < bytes.count, bytes[index + 1] == quote, bytes[index + 2] == quote {
          return (String(decoding: bytes[contentStart..<index], as: UTF8.self), index + 3, newlines)
        }
      }
      index += 1
    }
    let end = min(index, bytes.count)
    return (String(decoding: bytes[contentStart..<end], as: UTF8.self), end, newlines)
  }
}
