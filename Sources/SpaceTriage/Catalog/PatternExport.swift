internal import Foundation

/// Rewrites catalog patterns for the tools a user would otherwise reach for.
///
/// `pcre` is the pattern as written, with named groups unnamed, branch-reset groups `(?|…)`
/// (which rg's engine lacks, and which only number captures) written `(?:…)`, and caseless
/// entries wrapped in `(?i:…)`: what `rg -f` and `grep -P -f` read (they join the lines with `|`). `ere` is a best-effort POSIX extended regex for `grep -E -f`: groups lose
/// their names and `?:`, `\d` becomes `[0-9]`, lazy quantifiers become greedy, lookarounds are
/// dropped, and a caseless pattern spells each letter as `[xX]`. It is meant for side-by-side
/// timing, not as an exact translation.
public enum PatternExport {
  /// The regex dialects `patterns export` writes.
  public enum Dialect: String, CaseIterable, Sendable {
    case pcre, ere
  }

  /// The pattern of `signature` in `dialect`.
  public static func export(_ signature: Signature, as dialect: Dialect) -> String {
    let caseless = signature.caseless || signature.pattern.hasPrefix("(?i)")
    let source = signature.pattern.hasPrefix("(?i)") ? String(signature.pattern.dropFirst(4)) : signature.pattern
    switch dialect {
    case .pcre:
      // rg and grep join `-f` lines with `|`: names would clash and a bare `(?i)` would leak
      // into the next pattern, so groups lose their names and case-folding is scoped.
      let plain = plainGroups(source)
      return caseless ? "(?i:\(plain))" : plain
    case .ere: return ere(source, caseless: caseless)
    }
  }

  /// Named groups `(?<name>…)` and branch-reset groups `(?|…)` written `(?:…)`: without
  /// names, a branch-reset group matches what a plain group does. An escaped `\(` is left alone.
  static func plainGroups(_ pattern: String) -> String {
    var out = ""
    var rest = Substring(pattern)
    while let range = rest.range(of: "(?") {
      out += rest[..<range.lowerBound]
      let after = rest[range.upperBound...]
      rest = after
      let escaped = out.reversed().prefix { $0 == "\\" }.count % 2 == 1
      if !escaped, after.first == "|" {
        out += "(?:"
        rest = after.dropFirst()
      } else if !escaped, after.first == "<", let next = after.dropFirst().first, next.isLetter || next == "_",
        let close = after.firstIndex(of: ">")
      {
        out += "(?:"
        rest = after[after.index(after: close)...]
      } else {
        out += "(?"
      }
    }
    return out + rest
  }

  static func ere(_ pattern: String, caseless: Bool) -> String {
    let chars = Array(pattern)
    var out = ""
    var index = 0
    var inClass = false
    func letter(_ char: Character) -> String {
      guard caseless, !inClass, char.isLetter, char.isASCII else { return String(char) }
      return "[\(char.lowercased())\(char.uppercased())]"
    }
    while index < chars.count {
      let char = chars[index]
      if char == "\\", index + 1 < chars.count {
        let next = chars[index + 1]
        index += 2
        switch next {
        case "d": out += inClass ? "0-9" : "[0-9]"
        case "D": out += "[^0-9]"
        case "s": out += inClass ? "[:space:]" : "[[:space:]]"
        case "S": out += "[^[:space:]]"
        case "w": out += inClass ? "[:alnum:]_" : "[[:alnum:]_]"
        case "W", "b", "B": out += "\\" + String(next)
        case "A", "z", "Z", "G": break
        case ".", "[", "]", "(", ")", "*", "+", "?", "{", "}", "|", "^", "$", "\\":
          out += inClass ? String(next) : "\\" + String(next)
        default: out += letter(next)
        }
        continue
      }
      if inClass {
        if char == "]" { inClass = false }
        out.append(char)
        index += 1
        continue
      }
      switch char {
      case "[":
        inClass = true
        out.append(char)
        index += 1
        if index < chars.count, chars[index] == "^" { out.append("^"); index += 1 }
        if index < chars.count, chars[index] == "]" { out.append("]"); index += 1 }
      case "(":
        if index + 1 < chars.count, chars[index + 1] == "?" {
          let rest = String(chars[(index + 2)...])
          if rest.hasPrefix(":") || rest.hasPrefix("|") {
            index += 3
          } else if rest.hasPrefix("<") && !rest.hasPrefix("<=") && !rest.hasPrefix("<!"), let close = rest.firstIndex(of: ">") {
            index += 3 + rest.distance(from: rest.startIndex, to: close)
          } else if rest.hasPrefix("P<"), let close = rest.firstIndex(of: ">") {
            index += 3 + rest.distance(from: rest.startIndex, to: close)
          } else {
            // Lookarounds and inline options: drop the whole group.
            var depth = 0
            while index < chars.count {
              if chars[index] == "\\" { index += 2; continue }
              if chars[index] == "(" { depth += 1 }
              if chars[index] == ")" { depth -= 1; if depth == 0 { index += 1; break } }
              index += 1
            }
            continue
          }
          out += "("
        } else {
          out.append(char)
          index += 1
        }
      case "*", "+", "?", "}":
        out.append(char)
        index += 1
        if index < chars.count, chars[index] == "?" || (chars[index] == "+" && char != "?") { index += 1 }
      default:
        out += letter(char)
        index += 1
      }
    }
    return out
  }
}
