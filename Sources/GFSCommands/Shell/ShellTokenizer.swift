/// Splits a shell line into commands (at `;`) and words, the way a Unix shell would for simple input:
/// single quotes keep everything, double quotes keep spaces, a backslash escapes the next character, and `#`
/// at the start of a word begins a comment.
enum ShellTokenizer {
    struct Unterminated: Error, CustomStringConvertible {
        var description: String { "unterminated quote" }
    }

    static func commands(_ line: String) throws -> [[String]] {
        var commands: [[String]] = []
        var words: [String] = []
        var word = ""
        var inWord = false
        var quote: Character?
        var escaped = false
        func endWord() {
            if inWord { words.append(word) }
            word = ""
            inWord = false
        }
        for character in line {
            if escaped {
                word.append(character)
                escaped = false
                continue
            }
            if let open = quote {
                if character == open { quote = nil } else if character == "\\", open == "\"" { escaped = true } else {
                    word.append(character)
                }
                continue
            }
            switch character {
            case "\\": escaped = true; inWord = true
            case "'", "\"": quote = character; inWord = true
            case " ", "\t": endWord()
            case ";":
                endWord()
                if !words.isEmpty { commands.append(words) }
                words = []
            case "#" where !inWord:
                endWord()
                if !words.isEmpty { commands.append(words) }
                return commands
            default:
                word.append(character)
                inWord = true
            }
        }
        if quote != nil || escaped { throw Unterminated() }
        endWord()
        if !words.isEmpty { commands.append(words) }
        return commands
    }
}
