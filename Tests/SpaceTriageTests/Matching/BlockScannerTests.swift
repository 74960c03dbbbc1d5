import Testing

@testable import SpaceTriage

struct BlockScannerTests {
  private let signatures = [
    Signature(id: "a.gpu", title: "gpu", stage: .running, signatureClass: .transient, pattern: "No CUDA GPUs are available"),
    Signature(id: "a.exit", title: "exit", stage: .startup, signatureClass: .persistent, pattern: "Exit code: (\\d+)"),
  ]

  /// Walks `lines` as the classifier does and returns, per line, the literal numbers looked up
  /// (`nil` for a line left to its own pass).
  private func walk(_ lines: [String], capacity: Int) -> [[Int32]?] {
    let scanner = BlockScanner(signatures: signatures, capacity: capacity)
    let text = Array(lines.joined(separator: "\n").utf8) + [0x0A]
    var answers: [[Int32]?] = []
    text.withUnsafeBytes { block in
      var start = 0
      for line in lines {
        let bytes = UnsafeRawBufferPointer(rebasing: block[start..<start + line.utf8.count])
        if scanner.needsScan(bytes, epoch: 0) {
          scanner.scan(UnsafeRawBufferPointer(rebasing: block[start...]), epoch: 0)
        }
        switch scanner.lookup(bytes) {
        case .skip: answers.append([])
        case .hits(let hits): answers.append(hits.occurrences.map(\.literal))
        case .ownPass: answers.append(nil)
        }
        start += line.utf8.count + 1
      }
    }
    return answers
  }

  @Test(arguments: [8, 64, 4096])
  func everyLineGetsExactlyItsLiterals(capacity: Int) {
    var lines: [String] = []
    var expected: [[Int32]?] = []
    for number in 0..<300 {
      switch number % 4 {
      case 0: lines.append("\(number): RuntimeError: No CUDA GPUs are available"); expected.append([0])
      case 1: lines.append("\(number): plain output"); expected.append([])
      case 2: lines.append("Exit code: \(number) No CUDA GPUs are available"); expected.append([1, 0])
      default: lines.append(""); expected.append([])
      }
    }
    #expect(walk(lines, capacity: capacity) == expected)
  }

  @Test func linesWithAnEscapeByteGetTheirOwnPass() {
    let answers = walk(["plain", "\u{1B}[31mNo CUDA GPUs are available\u{1B}[0m", "No CUDA GPUs are available", "x\u{1B}"], capacity: 64)
    #expect(answers == [[], nil, [0], nil])
  }

  @Test func aNewBufferEpochForcesANewScan() {
    let scanner = BlockScanner(signatures: signatures)
    let text = Array("Exit code: 1\n".utf8)
    text.withUnsafeBytes { block in
      let line = UnsafeRawBufferPointer(rebasing: block[0..<12])
      #expect(scanner.needsScan(line, epoch: 3))
      scanner.scan(block, epoch: 3)
      #expect(!scanner.needsScan(line, epoch: 3))
      #expect(scanner.needsScan(line, epoch: 4))
    }
  }
}
