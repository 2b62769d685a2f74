function __gfs_should_offer_completions_for_flags_or_options -a expected_commands
    set -l non_repeating_flags_or_options $argv[2..]
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __gfs_parse_tokens
    test "$commands" = "$expected_commands"; and return $non_repeating_flags_or_options_absent
end

function __gfs_should_offer_completions_for_positional -a expected_commands positional_index_comparison expected_positional_index
    set -l non_repeating_flags_or_options
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __gfs_parse_tokens
    test "$commands" = "$expected_commands" -a \( "$positional_index" "$positional_index_comparison" "$expected_positional_index" \)
end

function __gfs_parse_tokens -S
    set -l unparsed_tokens (__gfs_tokens -pc)
    switch $unparsed_tokens[1]
    case 'gfs'
        __gfs_parse_subcommand 0 'version' 'h/help'
        switch $unparsed_tokens[1]
        case 'up'
            __gfs_parse_subcommand 0 'dir=' 'chunkservers=' 'port=' 'chunk-size=' 'log-level=' 'ha' 'version' 'h/help'
        case 'master'
            __gfs_parse_subcommand 0 'dir=' 'log-level=' 'secret-file=' 'tls-cert=' 'tls-key=' 'tls-ca=' 'http=' 'principals=' 'exports=' 'master-key=' 'audit-log=' 'listen=' 'chunk-size=' 'replication=' 'min-replicas=' 'lease=' 'checkpoint-bytes=' 'shadow-of=' 'log-replicas=' 'etcd=' 'bootstrap' 'etcd-prefix=' 'etcd-ttl=' 'advertise=' 'heartbeat-timeout=' 'repair-interval=' 'clones-per-server=' 'clones-total=' 'clone-rate=' 'restart-grace=' 'deleted-grace=' 'gc-interval=' 'version' 'h/help'
        case 'chunkserver'
            __gfs_parse_subcommand 0 'dir=' 'log-level=' 'secret-file=' 'tls-cert=' 'tls-key=' 'tls-ca=' 'http=' 'listen=' 'advertise=' 'master=' 'rack=' 'heartbeat-interval=' 'push-buffer=' 'no-fsync' 'report-interval=' 'scrub-rate=' 'ack-log=' 'master-public-key=' 'version' 'h/help'
        case 'put'
            __gfs_parse_subcommand 2 'master=' 'timeout=' 'secret-file=' 'tls-ca=' 'local-reads' 'no-local-reads' 'r/replication=' 'f/force' 'progress' 'no-progress' 'version' 'h/help'
        case 'append'
            __gfs_parse_subcommand 1 'master=' 'timeout=' 'secret-file=' 'tls-ca=' 'local-reads' 'no-local-reads' 'create' 'raw' '0/null' 'record-size=' 'r/replication=' 'version' 'h/help'
        case 'write'
            __gfs_parse_subcommand 1 'master=' 'timeout=' 'secret-file=' 'tls-ca=' 'local-reads' 'no-local-reads' 'offset=' 'version' 'h/help'
        case 'cat'
            __gfs_parse_subcommand -r 1 'master=' 'timeout=' 'secret-file=' 'tls-ca=' 'local-reads' 'no-local-reads' 'progress' 'no-progress' 'raw' 'stale' 'follow' 'version' 'h/help'
        case 'tail'
            __gfs_parse_subcommand 1 'master=' 'timeout=' 'secret-file=' 'tls-ca=' 'local-reads' 'no-local-reads' 'n=' 'f' 'raw' 'version' 'h/help'
        case 'get'
            __gfs_parse_subcommand 2 'master=' 'timeout=' 'secret-file=' 'tls-ca=' 'local-reads' 'no-local-reads' 'progress' 'no-progress' 'version' 'h/help'
        case 'ls'
            __gfs_parse_subcommand -r 1 'master=' 'timeout=' 'secret-file=' 'tls-ca=' 'local-reads' 'no-local-reads' 'l' 'h/human-readable' 'json' 'deleted' 'version' 'help'
        case 'stat'
            __gfs_parse_subcommand -r 1 'master=' 'timeout=' 'secret-file=' 'tls-ca=' 'local-reads' 'no-local-reads' 'h/human-readable' 'json' 'version' 'help'
        case 'mkdir'
            __gfs_parse_subcommand -r 1 'master=' 'timeout=' 'secret-file=' 'tls-ca=' 'local-reads' 'no-local-reads' 'p' 'version' 'h/help'
        case 'mv'
            __gfs_parse_subcommand 2 'master=' 'timeout=' 'secret-file=' 'tls-ca=' 'local-reads' 'no-local-reads' 'version' 'h/help'
        case 'rm'
            __gfs_parse_subcommand -r 1 'master=' 'timeout=' 'secret-file=' 'tls-ca=' 'local-reads' 'no-local-reads' 'r' 'f' 'version' 'h/help'
        case 'snapshot'
            __gfs_parse_subcommand 2 'master=' 'timeout=' 'secret-file=' 'tls-ca=' 'local-reads' 'no-local-reads' 'version' 'h/help'
        case 'undelete'
            __gfs_parse_subcommand -r 1 'master=' 'timeout=' 'secret-file=' 'tls-ca=' 'local-reads' 'no-local-reads' 'version' 'h/help'
        case 'touch'
            __gfs_parse_subcommand -r 1 'master=' 'timeout=' 'secret-file=' 'tls-ca=' 'local-reads' 'no-local-reads' 'replication=' 'json' 'version' 'h/help'
        case 'truncate'
            __gfs_parse_subcommand -r 1 'master=' 'timeout=' 'secret-file=' 'tls-ca=' 'local-reads' 'no-local-reads' 's=' 'json' 'version' 'h/help'
        case 'concat'
            __gfs_parse_subcommand -r 2 'master=' 'timeout=' 'secret-file=' 'tls-ca=' 'local-reads' 'no-local-reads' 'replication=' 'pad' 'json' 'version' 'h/help'
        case 'setrep'
            __gfs_parse_subcommand -r 2 'master=' 'timeout=' 'secret-file=' 'tls-ca=' 'local-reads' 'no-local-reads' 'R' 'w' 'json' 'version' 'h/help'
        case 'quota'
            __gfs_parse_subcommand 0 'version' 'h/help'
            switch $unparsed_tokens[1]
            case 'set'
                __gfs_parse_subcommand 1 'master=' 'timeout=' 'secret-file=' 'tls-ca=' 'local-reads' 'no-local-reads' 'files=' 'bytes=' 'version' 'h/help'
            case 'clear'
                __gfs_parse_subcommand 1 'master=' 'timeout=' 'secret-file=' 'tls-ca=' 'local-reads' 'no-local-reads' 'version' 'h/help'
            case 'show'
                __gfs_parse_subcommand 1 'master=' 'timeout=' 'secret-file=' 'tls-ca=' 'local-reads' 'no-local-reads' 'h/human-readable' 'json' 'version' 'help'
            end
        case 'du'
            __gfs_parse_subcommand -r 1 'master=' 'timeout=' 'secret-file=' 'tls-ca=' 'local-reads' 'no-local-reads' 's' 'h/human-readable' 'json' 'version' 'help'
        case 'count'
            __gfs_parse_subcommand -r 1 'master=' 'timeout=' 'secret-file=' 'tls-ca=' 'local-reads' 'no-local-reads' 'h/human-readable' 'q' 'json' 'version' 'help'
        case 'df'
            __gfs_parse_subcommand 0 'master=' 'timeout=' 'secret-file=' 'tls-ca=' 'local-reads' 'no-local-reads' 'h/human-readable' 'json' 'version' 'help'
        case 'checksum'
            __gfs_parse_subcommand -r 1 'master=' 'timeout=' 'secret-file=' 'tls-ca=' 'local-reads' 'no-local-reads' 'local' 'json' 'version' 'h/help'
        case 'fsck'
            __gfs_parse_subcommand 1 'master=' 'timeout=' 'secret-file=' 'tls-ca=' 'local-reads' 'no-local-reads' 'files' 'chunks' 'locations' 'json' 'version' 'h/help'
        case 'gc'
            __gfs_parse_subcommand 0 'master=' 'timeout=' 'secret-file=' 'tls-ca=' 'local-reads' 'no-local-reads' 'now' 'json' 'version' 'h/help'
        case 'status'
            __gfs_parse_subcommand 0 'master=' 'timeout=' 'secret-file=' 'tls-ca=' 'local-reads' 'no-local-reads' 'h/human-readable' 'json' 'version' 'help'
        case 'drain'
            __gfs_parse_subcommand 1 'master=' 'timeout=' 'secret-file=' 'tls-ca=' 'local-reads' 'no-local-reads' 'stop' 'version' 'h/help'
        case 'tune'
            __gfs_parse_subcommand 0 'master=' 'timeout=' 'secret-file=' 'tls-ca=' 'local-reads' 'no-local-reads' 'clones-per-server=' 'clones-total=' 'clone-rate=' 'version' 'h/help'
        case 'promote'
            __gfs_parse_subcommand 0 'master=' 'timeout=' 'secret-file=' 'tls-ca=' 'local-reads' 'no-local-reads' 'version' 'h/help'
        case 'shell'
            __gfs_parse_subcommand 1 'master=' 'timeout=' 'secret-file=' 'tls-ca=' 'local-reads' 'no-local-reads' 'c=' 'keep-going' 'version' 'h/help'
        case 'bench'
            __gfs_parse_subcommand 1 'master=' 'timeout=' 'secret-file=' 'tls-ca=' 'local-reads' 'no-local-reads' 'clients=' 'size=' 'record-size=' 'batch=' 'files=' 'chunks=' 'local' 'baseline' 'rounds=' 'json' 'version' 'h/help'
        case 'help'
            __gfs_parse_subcommand -r 1 'version'
        end
    end
end

function __gfs_tokens
    if test (string split -m 1 -f 1 -- . "$FISH_VERSION") -gt 3
        commandline --tokens-raw $argv
    else
        commandline -o $argv
    end
end

function __gfs_parse_subcommand -S -a positional_count
    argparse -s r -- $argv
    set -l option_specs $argv[2..]
    set -l is_repeating_positional $_flag_r
    set -el _flag_r
    set -a commands $unparsed_tokens[1]
    set positional_index 0
    while true
        set -e unparsed_tokens[1]
        argparse -sn "$commands" $option_specs -- $unparsed_tokens 2> /dev/null
        set unparsed_tokens $argv
        set positional_index (math $positional_index + 1)
        for non_repeating_flag_or_option in $non_repeating_flags_or_options
            if set -ql "_flag_$(string replace -a - _ -- $non_repeating_flag_or_option)"
                set non_repeating_flags_or_options_absent 1
                break
            end
        end
        test (count $unparsed_tokens) -eq 0 -o \( -z "$is_repeating_positional" -a "$positional_index" -gt "$positional_count" \) && break
    end
end

function __gfs_complete_directories
    set -l token (commandline -t)
    string match -- '*/' $token
    set -l subdirs $token*/
    printf %s\n $subdirs
end

function __gfs_custom_completion
    set -x SAP_SHELL fish
    set -x SAP_SHELL_VERSION $FISH_VERSION
    set -l tokens (__gfs_tokens -p)
    if test -z "$(__gfs_tokens -t)"
        set -l index (count (__gfs_tokens -pc))
        set tokens $tokens[..$index] \'\' $tokens[(math $index + 1)..]
    end
    command $tokens[1] $argv $tokens
end

complete -c 'gfs' -f
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs" version' -l 'version' -d 'Show the version.'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_positional "gfs" -eq 1' -fa 'up' -d 'Start a local cluster (a master and chunkservers) in the foreground; Ctrl-C stops it.'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_positional "gfs" -eq 1' -fa 'master' -d 'Run the master: namespace, chunk map, placement and leases.'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_positional "gfs" -eq 1' -fa 'chunkserver' -d 'Run a chunkserver: chunk replicas as files, checksummed per 64 KiB block.'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_positional "gfs" -eq 1' -fa 'put' -d 'Store a local file, or standard input (-), as a new remote file.'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_positional "gfs" -eq 1' -fa 'append' -d 'Append standard input to a remote file as records, each atomically and at least once.'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_positional "gfs" -eq 1' -fa 'write' -d 'Write standard input into a remote file at a byte offset.'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_positional "gfs" -eq 1' -fa 'cat' -d 'Write remote files to standard output.'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_positional "gfs" -eq 1' -fa 'tail' -d 'Print the last lines of a remote file (the last records of a record file); -f keeps printing what is appended.'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_positional "gfs" -eq 1' -fa 'get' -d 'Copy a remote file to a local file, or to standard output (-).'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_positional "gfs" -eq 1' -fa 'ls' -d 'List directory contents (or describe a file).'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_positional "gfs" -eq 1' -fa 'stat' -d 'Describe remote files or directories.'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_positional "gfs" -eq 1' -fa 'mkdir' -d 'Make remote directories.'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_positional "gfs" -eq 1' -fa 'mv' -d 'Rename a remote file or directory.'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_positional "gfs" -eq 1' -fa 'rm' -d 'Remove remote files or directories.'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_positional "gfs" -eq 1' -fa 'snapshot' -d 'Copy a remote file or directory tree at once; chunks are shared until written.'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_positional "gfs" -eq 1' -fa 'undelete' -d 'Restore deleted files or directories (the newest deleted copy of each path).'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_positional "gfs" -eq 1' -fa 'touch' -d 'Create empty remote files, or set existing files\' modification time to now.'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_positional "gfs" -eq 1' -fa 'truncate' -d 'Cut remote files to a size (shrink only).'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_positional "gfs" -eq 1' -fa 'concat' -d 'Append the chunks of source files to a destination file (made if missing) without copying data.'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_positional "gfs" -eq 1' -fa 'setrep' -d 'Change the replication goal of existing files (with -R, of every file under a directory).'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_positional "gfs" -eq 1' -fa 'quota' -d 'Set, clear and show directory quotas (files and directories; bytes counting every replica).'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_positional "gfs" -eq 1' -fa 'du' -d 'Show the bytes under each path, and the disk space they take with replication.'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_positional "gfs" -eq 1' -fa 'count' -d 'Count the directories, files and bytes under each path.'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_positional "gfs" -eq 1' -fa 'df' -d 'Show the cluster\'s disk space: size, used, available, use%, live chunkservers.'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_positional "gfs" -eq 1' -fa 'checksum' -d 'Print a file checksum that depends only on the bytes: path, COMPOSITE-CRC32C, 8 hex digits.'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_positional "gfs" -eq 1' -fa 'fsck' -d 'Check the health of files and chunks under a path (default /).'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_positional "gfs" -eq 1' -fa 'gc' -d 'Run a garbage-collection pass and print what it reclaimed.'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_positional "gfs" -eq 1' -fa 'status' -d 'Show the master\'s counters and one line per chunkserver.'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_positional "gfs" -eq 1' -fa 'drain' -d 'Move every replica off a chunkserver, gradually, so it can be retired.'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_positional "gfs" -eq 1' -fa 'tune' -d 'Show or change the running master\'s re-replication limits.'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_positional "gfs" -eq 1' -fa 'promote' -d 'Make a shadow master the primary, after the primary is gone.'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_positional "gfs" -eq 1' -fa 'shell' -d 'An interactive shell (readline, history, tab completion of remote paths) or a script runner.'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_positional "gfs" -eq 1' -fa 'bench' -d 'Measure throughput and latency: write, read, append or meta (create, stat, ls, delete), or the master\'s memory.'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_positional "gfs" -eq 1' -fa 'help' -d 'Show subcommand help information.'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs up" dir' -l 'dir' -d 'Folder holding every server\'s data.' -rfa '(__gfs_complete_directories)'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs up" chunkservers' -l 'chunkservers' -d 'Number of chunkservers.' -rfka ''
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs up" port' -l 'port' -d 'Master port; chunkservers take the ports after it.' -rfka ''
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs up" chunk-size' -l 'chunk-size' -d 'Bytes per chunk.' -rfka ''
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs up" log-level' -l 'log-level' -d 'Log level for the servers.' -rfka ''
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs up" ha' -l 'ha' -d 'Two masters that elect their primary in etcd, which this starts too (needs etcd-server).'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs up" version' -l 'version' -d 'Show the version.'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs up" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs master" dir' -l 'dir' -d 'Folder for this server\'s files (created if missing).' -rfa '(__gfs_complete_directories)'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs master" log-level' -l 'log-level' -d 'Log level: trace, debug, info, notice, warning, error, critical.' -rfka 'trace debug info notice warning error critical'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs master" secret-file' -l 'secret-file' -d 'The cluster secret, a file only this server\'s user may read (default: $GFS_SECRET_FILE): every connection must prove it, and this server proves it to its peers. Without one, anyone who reaches the port is trusted.' -rF
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs master" tls-cert' -l 'tls-cert' -d 'TLS on every connection: this server\'s certificate (PEM, naming the address it is reached at); needs --tls-key and --tls-ca.' -rF
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs master" tls-key' -l 'tls-key' -d 'The private key of --tls-cert (PEM).' -rF
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs master" tls-ca' -l 'tls-ca' -d 'The cluster\'s certificate authority (PEM): every server\'s certificate, this one\'s peers\' included, must be signed by it. Clients give it with --tls-ca or GFS_TLS_CA.' -rF
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs master" http' -l 'http' -d 'Serve a status page (/), /status.json and Prometheus /metrics over HTTP on this address (port 0 picks one; STATUS tells it). Read-only and unauthenticated: bind it where only operators reach it.' -rfka ''
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs master" principals' -l 'principals' -d 'Client principals and their secrets, one \'NAME SECRET\' line each, in a file only this master\'s user may read (needs --secret-file). A client proves its principal with a secret file holding its one line.' -rF
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs master" exports' -l 'exports' -d 'Who may do what from where: \'ADDRESS PATH [ro|rw,admin,principal=NAME,minrep=N,maxrep=N]\' lines (needs --secret-file; see README, Security). Without it, every authenticated principal may do everything.' -rF
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs master" master-key' -l 'master-key' -d 'The masters\' private key (a file only this master\'s user may read; gfs up makes one): this master signs its handshakes with it, and chunkservers given the public key take master\'s orders only from its holders. Needs --secret-file.' -rF
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs master" audit-log' -l 'audit-log' -d 'Append one line per namespace change, administrative order and refusal to this file.' -rF
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs master" listen' -l 'listen' -d 'Address to listen on (port 0 picks a free port).' -rfka ''
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs master" chunk-size' -l 'chunk-size' -d 'Bytes per chunk.' -rfka ''
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs master" replication' -l 'replication' -d 'Default replicas per chunk.' -rfka ''
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs master" min-replicas' -l 'min-replicas' -d 'Fewest replicas a write is acknowledged by (at most a file\'s goal); a chunk with fewer live current replicas takes writes again once repair has copied it.' -rfka ''
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs master" lease' -l 'lease' -d 'Primary lease duration.' -rfka ''
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs master" checkpoint-bytes' -l 'checkpoint-bytes' -d 'Write a checkpoint when the operation log grows past this size, or past a quarter of the newest checkpoint (at least 4 MiB) if that is less, so a restart replays little.' -rfka ''
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs master" shadow-of' -l 'shadow-of' -d 'Run as a read-only shadow that follows this primary\'s log.' -rfka ''
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs master" log-replicas' -l 'log-replicas' -d 'Shadows that must have each mutation on disk before it is acknowledged (with --etcd: the other masters).' -rfka ''
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs master" etcd' -l 'etcd' -d 'etcd endpoints: the masters elect their primary there; the others follow it.' -rfka ''
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs master" bootstrap' -l 'bootstrap' -d 'With --etcd: this master may become the first primary of a new cluster while its log is empty. Give it to one master, once; an empty master without it waits to copy a primary\'s log first.'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs master" etcd-prefix' -l 'etcd-prefix' -d 'The etcd key prefix of this cluster\'s election.' -rfka ''
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs master" etcd-ttl' -l 'etcd-ttl' -d 'The election lease: a dead primary is replaced after about this long.' -rfka ''
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs master" advertise' -l 'advertise' -d 'The address other roles and clients reach this master at (default: --listen; port 0 means the port bound).' -rfka ''
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs master" heartbeat-timeout' -l 'heartbeat-timeout' -d 'A chunkserver silent this long is dead.' -rfka ''
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs master" repair-interval' -l 'repair-interval' -d 'Time between re-replication planning passes.' -rfka ''
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs master" clones-per-server' -l 'clones-per-server' -d 'Re-replication copies at once per chunkserver (change later with gfs tune).' -rfka ''
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs master" clones-total' -l 'clones-total' -d 'Re-replication copies at once in the whole cluster.' -rfka ''
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs master" clone-rate' -l 'clone-rate' -d 'Bytes per second each re-replication copy may read.' -rfka ''
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs master" restart-grace' -l 'restart-grace' -d 'A chunkserver stopped gracefully has this long to come back before its chunks are copied.' -rfka ''
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs master" deleted-grace' -l 'deleted-grace' -d 'Deleted files can be restored this long; then garbage collection removes them.' -rfka ''
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs master" gc-interval' -l 'gc-interval' -d 'Time between garbage-collection scans of the namespace.' -rfka ''
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs master" version' -l 'version' -d 'Show the version.'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs master" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs chunkserver" dir' -l 'dir' -d 'Folder for this server\'s files (created if missing).' -rfa '(__gfs_complete_directories)'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs chunkserver" log-level' -l 'log-level' -d 'Log level: trace, debug, info, notice, warning, error, critical.' -rfka 'trace debug info notice warning error critical'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs chunkserver" secret-file' -l 'secret-file' -d 'The cluster secret, a file only this server\'s user may read (default: $GFS_SECRET_FILE): every connection must prove it, and this server proves it to its peers. Without one, anyone who reaches the port is trusted.' -rF
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs chunkserver" tls-cert' -l 'tls-cert' -d 'TLS on every connection: this server\'s certificate (PEM, naming the address it is reached at); needs --tls-key and --tls-ca.' -rF
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs chunkserver" tls-key' -l 'tls-key' -d 'The private key of --tls-cert (PEM).' -rF
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs chunkserver" tls-ca' -l 'tls-ca' -d 'The cluster\'s certificate authority (PEM): every server\'s certificate, this one\'s peers\' included, must be signed by it. Clients give it with --tls-ca or GFS_TLS_CA.' -rF
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs chunkserver" http' -l 'http' -d 'Serve a status page (/), /status.json and Prometheus /metrics over HTTP on this address (port 0 picks one; STATUS tells it). Read-only and unauthenticated: bind it where only operators reach it.' -rfka ''
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs chunkserver" listen' -l 'listen' -d 'Address to listen on (port 0 picks a free port).' -rfka ''
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs chunkserver" advertise' -l 'advertise' -d 'The address masters, peers and clients reach this chunkserver at (default: --listen; port 0 means the port bound).' -rfka ''
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs chunkserver" master' -l 'master' -d 'Master address, or a comma-separated list of the primary and its shadows.' -rfka ''
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs chunkserver" rack' -l 'rack' -d 'Rack label, so replicas spread over racks.' -rfka ''
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs chunkserver" heartbeat-interval' -l 'heartbeat-interval' -d 'Time between heartbeats.' -rfka ''
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs chunkserver" push-buffer' -l 'push-buffer' -d 'Most bytes of pushed data held in memory at once (the buffers holding them take up to twice that).' -rfka ''
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs chunkserver" no-fsync' -l 'no-fsync' -d 'Acknowledge writes before they are fsynced (faster, loses data on power failure).'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs chunkserver" report-interval' -l 'report-interval' -d 'Time between full chunk reports to the master (which answers with orphans to delete).' -rfka ''
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs chunkserver" scrub-rate' -l 'scrub-rate' -d 'Bytes per second the background scrubber verifies (0 turns it off).' -rfka ''
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs chunkserver" ack-log' -l 'ack-log' -d 'Append a line per mutation acknowledged as primary (time, chunk, version, lease end) to this file, for audits and fault-injection checks.' -rfka ''
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs chunkserver" master-public-key' -l 'master-public-key' -d 'The masters\' public key (gfs up makes one): only a peer that signs with the masters\' private key may give master\'s orders (GRANT, REVOKE, CLONE, REPLICATE) or answer this server\'s heartbeats; without it, any member may. Needs --secret-file.' -rF
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs chunkserver" version' -l 'version' -d 'Show the version.'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs chunkserver" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs put" master' -l 'master' -d 'Master address host:port, or a comma-separated list of the primary and its shadows (default: $GFS_MASTER or 127.0.0.1:7700).' -rfka ''
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs put" timeout' -l 'timeout' -d 'Seconds to go on waiting, through master restarts and missing servers, with no progress before giving up with status 3.' -rfka ''
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs put" secret-file' -l 'secret-file' -d 'The cluster secret, a file only you may read (default: $GFS_SECRET_FILE, else ~/.config/gfs/secret if there is one; gfs up writes that one).' -rF
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs put" tls-ca' -l 'tls-ca' -d 'Speak TLS, trusting servers whose certificates this authority signed (PEM; default: $GFS_TLS_CA).' -rF
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs put" local-reads' -l 'local-reads' -d 'Read replicas on this machine straight from their files, verifying their checksums here (with --no-local-reads, over their chunkservers\' sockets like any other).'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs put" no-local-reads' -l 'no-local-reads' -d 'Read replicas on this machine straight from their files, verifying their checksums here (with --no-local-reads, over their chunkservers\' sockets like any other).'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_positional "gfs put" -eq 1' -F
complete -c 'gfs' -n '__gfs_should_offer_completions_for_positional "gfs put" -eq 2' -fka '(__gfs_custom_completion ---completion put -- positional@1 (count (__gfs_tokens -pc)) (__gfs_tokens -tC))'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs put" r replication' -l 'replication' -s 'r' -d 'Replicas per chunk (default: the master\'s).' -rfka ''
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs put" f force' -l 'force' -s 'f' -d 'Replace the remote file if it exists.'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs put" progress' -l 'progress' -d 'Show a progress line on stderr (default: only when stderr is a terminal).'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs put" no-progress' -l 'no-progress' -d 'Show a progress line on stderr (default: only when stderr is a terminal).'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs put" version' -l 'version' -d 'Show the version.'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs put" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs append" master' -l 'master' -d 'Master address host:port, or a comma-separated list of the primary and its shadows (default: $GFS_MASTER or 127.0.0.1:7700).' -rfka ''
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs append" timeout' -l 'timeout' -d 'Seconds to go on waiting, through master restarts and missing servers, with no progress before giving up with status 3.' -rfka ''
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs append" secret-file' -l 'secret-file' -d 'The cluster secret, a file only you may read (default: $GFS_SECRET_FILE, else ~/.config/gfs/secret if there is one; gfs up writes that one).' -rF
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs append" tls-ca' -l 'tls-ca' -d 'Speak TLS, trusting servers whose certificates this authority signed (PEM; default: $GFS_TLS_CA).' -rF
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs append" local-reads' -l 'local-reads' -d 'Read replicas on this machine straight from their files, verifying their checksums here (with --no-local-reads, over their chunkservers\' sockets like any other).'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs append" no-local-reads' -l 'no-local-reads' -d 'Read replicas on this machine straight from their files, verifying their checksums here (with --no-local-reads, over their chunkservers\' sockets like any other).'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_positional "gfs append" -eq 1' -fka '(__gfs_custom_completion ---completion append -- positional@0 (count (__gfs_tokens -pc)) (__gfs_tokens -tC))'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs append" create' -l 'create' -d 'Create the file if it does not exist.'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs append" raw' -l 'raw' -d 'Append unframed bytes (to an ordinary file, not a record file).'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs append" 0 null' -s '0' -l 'null' -d 'Records end with a NUL byte instead of a newline.'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs append" record-size' -l 'record-size' -d 'Records of exactly this many bytes instead of lines.' -rfka ''
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs append" r replication' -l 'replication' -s 'r' -d 'Replicas per chunk when --create makes the file.' -rfka ''
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs append" version' -l 'version' -d 'Show the version.'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs append" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs write" master' -l 'master' -d 'Master address host:port, or a comma-separated list of the primary and its shadows (default: $GFS_MASTER or 127.0.0.1:7700).' -rfka ''
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs write" timeout' -l 'timeout' -d 'Seconds to go on waiting, through master restarts and missing servers, with no progress before giving up with status 3.' -rfka ''
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs write" secret-file' -l 'secret-file' -d 'The cluster secret, a file only you may read (default: $GFS_SECRET_FILE, else ~/.config/gfs/secret if there is one; gfs up writes that one).' -rF
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs write" tls-ca' -l 'tls-ca' -d 'Speak TLS, trusting servers whose certificates this authority signed (PEM; default: $GFS_TLS_CA).' -rF
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs write" local-reads' -l 'local-reads' -d 'Read replicas on this machine straight from their files, verifying their checksums here (with --no-local-reads, over their chunkservers\' sockets like any other).'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs write" no-local-reads' -l 'no-local-reads' -d 'Read replicas on this machine straight from their files, verifying their checksums here (with --no-local-reads, over their chunkservers\' sockets like any other).'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_positional "gfs write" -eq 1' -fka '(__gfs_custom_completion ---completion write -- positional@0 (count (__gfs_tokens -pc)) (__gfs_tokens -tC))'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs write" offset' -l 'offset' -d 'Byte offset to write at.' -rfka ''
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs write" version' -l 'version' -d 'Show the version.'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs write" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs cat" master' -l 'master' -d 'Master address host:port, or a comma-separated list of the primary and its shadows (default: $GFS_MASTER or 127.0.0.1:7700).' -rfka ''
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs cat" timeout' -l 'timeout' -d 'Seconds to go on waiting, through master restarts and missing servers, with no progress before giving up with status 3.' -rfka ''
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs cat" secret-file' -l 'secret-file' -d 'The cluster secret, a file only you may read (default: $GFS_SECRET_FILE, else ~/.config/gfs/secret if there is one; gfs up writes that one).' -rF
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs cat" tls-ca' -l 'tls-ca' -d 'Speak TLS, trusting servers whose certificates this authority signed (PEM; default: $GFS_TLS_CA).' -rF
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs cat" local-reads' -l 'local-reads' -d 'Read replicas on this machine straight from their files, verifying their checksums here (with --no-local-reads, over their chunkservers\' sockets like any other).'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs cat" no-local-reads' -l 'no-local-reads' -d 'Read replicas on this machine straight from their files, verifying their checksums here (with --no-local-reads, over their chunkservers\' sockets like any other).'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_positional "gfs cat" -ge 1' -fka '(__gfs_custom_completion ---completion cat -- positional@0 (count (__gfs_tokens -pc)) (__gfs_tokens -tC))'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs cat" progress' -l 'progress' -d 'Show a progress line on stderr (default: only when stderr is a terminal).'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs cat" no-progress' -l 'no-progress' -d 'Show a progress line on stderr (default: only when stderr is a terminal).'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs cat" raw' -l 'raw' -d 'Print a record file\'s bytes as stored (framing, padding, duplicates) instead of its records.'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs cat" stale' -l 'stale' -d 'Read chunks that only stale replicas hold (fsck: stale-only) from those; they may lack acknowledged writes.'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs cat" follow' -l 'follow' -d 'After the end, keep printing what is appended until interrupted (like tail -F; one file only).'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs cat" version' -l 'version' -d 'Show the version.'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs cat" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs tail" master' -l 'master' -d 'Master address host:port, or a comma-separated list of the primary and its shadows (default: $GFS_MASTER or 127.0.0.1:7700).' -rfka ''
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs tail" timeout' -l 'timeout' -d 'Seconds to go on waiting, through master restarts and missing servers, with no progress before giving up with status 3.' -rfka ''
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs tail" secret-file' -l 'secret-file' -d 'The cluster secret, a file only you may read (default: $GFS_SECRET_FILE, else ~/.config/gfs/secret if there is one; gfs up writes that one).' -rF
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs tail" tls-ca' -l 'tls-ca' -d 'Speak TLS, trusting servers whose certificates this authority signed (PEM; default: $GFS_TLS_CA).' -rF
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs tail" local-reads' -l 'local-reads' -d 'Read replicas on this machine straight from their files, verifying their checksums here (with --no-local-reads, over their chunkservers\' sockets like any other).'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs tail" no-local-reads' -l 'no-local-reads' -d 'Read replicas on this machine straight from their files, verifying their checksums here (with --no-local-reads, over their chunkservers\' sockets like any other).'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs tail" n' -s 'n' -d 'How many lines (records) to print first.' -rfka ''
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs tail" f' -s 'f' -d 'Keep printing what is appended, until interrupted.'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs tail" raw' -l 'raw' -d 'Treat a record file as plain bytes (framing included).'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_positional "gfs tail" -eq 1' -fka '(__gfs_custom_completion ---completion tail -- positional@0 (count (__gfs_tokens -pc)) (__gfs_tokens -tC))'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs tail" version' -l 'version' -d 'Show the version.'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs tail" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs get" master' -l 'master' -d 'Master address host:port, or a comma-separated list of the primary and its shadows (default: $GFS_MASTER or 127.0.0.1:7700).' -rfka ''
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs get" timeout' -l 'timeout' -d 'Seconds to go on waiting, through master restarts and missing servers, with no progress before giving up with status 3.' -rfka ''
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs get" secret-file' -l 'secret-file' -d 'The cluster secret, a file only you may read (default: $GFS_SECRET_FILE, else ~/.config/gfs/secret if there is one; gfs up writes that one).' -rF
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs get" tls-ca' -l 'tls-ca' -d 'Speak TLS, trusting servers whose certificates this authority signed (PEM; default: $GFS_TLS_CA).' -rF
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs get" local-reads' -l 'local-reads' -d 'Read replicas on this machine straight from their files, verifying their checksums here (with --no-local-reads, over their chunkservers\' sockets like any other).'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs get" no-local-reads' -l 'no-local-reads' -d 'Read replicas on this machine straight from their files, verifying their checksums here (with --no-local-reads, over their chunkservers\' sockets like any other).'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_positional "gfs get" -eq 1' -fka '(__gfs_custom_completion ---completion get -- positional@0 (count (__gfs_tokens -pc)) (__gfs_tokens -tC))'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_positional "gfs get" -eq 2' -F
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs get" progress' -l 'progress' -d 'Show a progress line on stderr (default: only when stderr is a terminal).'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs get" no-progress' -l 'no-progress' -d 'Show a progress line on stderr (default: only when stderr is a terminal).'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs get" version' -l 'version' -d 'Show the version.'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs get" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs ls" master' -l 'master' -d 'Master address host:port, or a comma-separated list of the primary and its shadows (default: $GFS_MASTER or 127.0.0.1:7700).' -rfka ''
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs ls" timeout' -l 'timeout' -d 'Seconds to go on waiting, through master restarts and missing servers, with no progress before giving up with status 3.' -rfka ''
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs ls" secret-file' -l 'secret-file' -d 'The cluster secret, a file only you may read (default: $GFS_SECRET_FILE, else ~/.config/gfs/secret if there is one; gfs up writes that one).' -rF
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs ls" tls-ca' -l 'tls-ca' -d 'Speak TLS, trusting servers whose certificates this authority signed (PEM; default: $GFS_TLS_CA).' -rF
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs ls" local-reads' -l 'local-reads' -d 'Read replicas on this machine straight from their files, verifying their checksums here (with --no-local-reads, over their chunkservers\' sockets like any other).'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs ls" no-local-reads' -l 'no-local-reads' -d 'Read replicas on this machine straight from their files, verifying their checksums here (with --no-local-reads, over their chunkservers\' sockets like any other).'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs ls" l' -s 'l' -d 'Long format.'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs ls" h human-readable' -s 'h' -l 'human-readable' -d 'Sizes in K, M, G … (powers of 1024).'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs ls" json' -l 'json' -d 'Print JSON.'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs ls" deleted' -l 'deleted' -d 'List deleted files and directories under the paths, still restorable with gfs undelete.'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_positional "gfs ls" -ge 1' -fka '(__gfs_custom_completion ---completion ls -- positional@0 (count (__gfs_tokens -pc)) (__gfs_tokens -tC))'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs ls" version' -l 'version' -d 'Show the version.'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs ls" help' -l 'help' -d 'Show help information.'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs stat" master' -l 'master' -d 'Master address host:port, or a comma-separated list of the primary and its shadows (default: $GFS_MASTER or 127.0.0.1:7700).' -rfka ''
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs stat" timeout' -l 'timeout' -d 'Seconds to go on waiting, through master restarts and missing servers, with no progress before giving up with status 3.' -rfka ''
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs stat" secret-file' -l 'secret-file' -d 'The cluster secret, a file only you may read (default: $GFS_SECRET_FILE, else ~/.config/gfs/secret if there is one; gfs up writes that one).' -rF
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs stat" tls-ca' -l 'tls-ca' -d 'Speak TLS, trusting servers whose certificates this authority signed (PEM; default: $GFS_TLS_CA).' -rF
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs stat" local-reads' -l 'local-reads' -d 'Read replicas on this machine straight from their files, verifying their checksums here (with --no-local-reads, over their chunkservers\' sockets like any other).'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs stat" no-local-reads' -l 'no-local-reads' -d 'Read replicas on this machine straight from their files, verifying their checksums here (with --no-local-reads, over their chunkservers\' sockets like any other).'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs stat" h human-readable' -s 'h' -l 'human-readable' -d 'Sizes in K, M, G … (powers of 1024).'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs stat" json' -l 'json' -d 'Print JSON.'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_positional "gfs stat" -ge 1' -fka '(__gfs_custom_completion ---completion stat -- positional@0 (count (__gfs_tokens -pc)) (__gfs_tokens -tC))'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs stat" version' -l 'version' -d 'Show the version.'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs stat" help' -l 'help' -d 'Show help information.'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs mkdir" master' -l 'master' -d 'Master address host:port, or a comma-separated list of the primary and its shadows (default: $GFS_MASTER or 127.0.0.1:7700).' -rfka ''
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs mkdir" timeout' -l 'timeout' -d 'Seconds to go on waiting, through master restarts and missing servers, with no progress before giving up with status 3.' -rfka ''
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs mkdir" secret-file' -l 'secret-file' -d 'The cluster secret, a file only you may read (default: $GFS_SECRET_FILE, else ~/.config/gfs/secret if there is one; gfs up writes that one).' -rF
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs mkdir" tls-ca' -l 'tls-ca' -d 'Speak TLS, trusting servers whose certificates this authority signed (PEM; default: $GFS_TLS_CA).' -rF
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs mkdir" local-reads' -l 'local-reads' -d 'Read replicas on this machine straight from their files, verifying their checksums here (with --no-local-reads, over their chunkservers\' sockets like any other).'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs mkdir" no-local-reads' -l 'no-local-reads' -d 'Read replicas on this machine straight from their files, verifying their checksums here (with --no-local-reads, over their chunkservers\' sockets like any other).'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs mkdir" p' -s 'p' -d 'Make missing parents; an existing directory is not an error.'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_positional "gfs mkdir" -ge 1' -fka '(__gfs_custom_completion ---completion mkdir -- positional@0 (count (__gfs_tokens -pc)) (__gfs_tokens -tC))'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs mkdir" version' -l 'version' -d 'Show the version.'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs mkdir" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs mv" master' -l 'master' -d 'Master address host:port, or a comma-separated list of the primary and its shadows (default: $GFS_MASTER or 127.0.0.1:7700).' -rfka ''
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs mv" timeout' -l 'timeout' -d 'Seconds to go on waiting, through master restarts and missing servers, with no progress before giving up with status 3.' -rfka ''
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs mv" secret-file' -l 'secret-file' -d 'The cluster secret, a file only you may read (default: $GFS_SECRET_FILE, else ~/.config/gfs/secret if there is one; gfs up writes that one).' -rF
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs mv" tls-ca' -l 'tls-ca' -d 'Speak TLS, trusting servers whose certificates this authority signed (PEM; default: $GFS_TLS_CA).' -rF
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs mv" local-reads' -l 'local-reads' -d 'Read replicas on this machine straight from their files, verifying their checksums here (with --no-local-reads, over their chunkservers\' sockets like any other).'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs mv" no-local-reads' -l 'no-local-reads' -d 'Read replicas on this machine straight from their files, verifying their checksums here (with --no-local-reads, over their chunkservers\' sockets like any other).'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_positional "gfs mv" -eq 1' -fka '(__gfs_custom_completion ---completion mv -- positional@0 (count (__gfs_tokens -pc)) (__gfs_tokens -tC))'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_positional "gfs mv" -eq 2' -fka '(__gfs_custom_completion ---completion mv -- positional@1 (count (__gfs_tokens -pc)) (__gfs_tokens -tC))'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs mv" version' -l 'version' -d 'Show the version.'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs mv" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs rm" master' -l 'master' -d 'Master address host:port, or a comma-separated list of the primary and its shadows (default: $GFS_MASTER or 127.0.0.1:7700).' -rfka ''
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs rm" timeout' -l 'timeout' -d 'Seconds to go on waiting, through master restarts and missing servers, with no progress before giving up with status 3.' -rfka ''
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs rm" secret-file' -l 'secret-file' -d 'The cluster secret, a file only you may read (default: $GFS_SECRET_FILE, else ~/.config/gfs/secret if there is one; gfs up writes that one).' -rF
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs rm" tls-ca' -l 'tls-ca' -d 'Speak TLS, trusting servers whose certificates this authority signed (PEM; default: $GFS_TLS_CA).' -rF
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs rm" local-reads' -l 'local-reads' -d 'Read replicas on this machine straight from their files, verifying their checksums here (with --no-local-reads, over their chunkservers\' sockets like any other).'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs rm" no-local-reads' -l 'no-local-reads' -d 'Read replicas on this machine straight from their files, verifying their checksums here (with --no-local-reads, over their chunkservers\' sockets like any other).'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs rm" r' -s 'r' -d 'Remove directories and everything in them.'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs rm" f' -s 'f' -d 'Ignore paths that do not exist.'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_positional "gfs rm" -ge 1' -fka '(__gfs_custom_completion ---completion rm -- positional@0 (count (__gfs_tokens -pc)) (__gfs_tokens -tC))'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs rm" version' -l 'version' -d 'Show the version.'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs rm" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs snapshot" master' -l 'master' -d 'Master address host:port, or a comma-separated list of the primary and its shadows (default: $GFS_MASTER or 127.0.0.1:7700).' -rfka ''
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs snapshot" timeout' -l 'timeout' -d 'Seconds to go on waiting, through master restarts and missing servers, with no progress before giving up with status 3.' -rfka ''
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs snapshot" secret-file' -l 'secret-file' -d 'The cluster secret, a file only you may read (default: $GFS_SECRET_FILE, else ~/.config/gfs/secret if there is one; gfs up writes that one).' -rF
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs snapshot" tls-ca' -l 'tls-ca' -d 'Speak TLS, trusting servers whose certificates this authority signed (PEM; default: $GFS_TLS_CA).' -rF
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs snapshot" local-reads' -l 'local-reads' -d 'Read replicas on this machine straight from their files, verifying their checksums here (with --no-local-reads, over their chunkservers\' sockets like any other).'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs snapshot" no-local-reads' -l 'no-local-reads' -d 'Read replicas on this machine straight from their files, verifying their checksums here (with --no-local-reads, over their chunkservers\' sockets like any other).'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_positional "gfs snapshot" -eq 1' -fka '(__gfs_custom_completion ---completion snapshot -- positional@0 (count (__gfs_tokens -pc)) (__gfs_tokens -tC))'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_positional "gfs snapshot" -eq 2' -fka '(__gfs_custom_completion ---completion snapshot -- positional@1 (count (__gfs_tokens -pc)) (__gfs_tokens -tC))'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs snapshot" version' -l 'version' -d 'Show the version.'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs snapshot" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs undelete" master' -l 'master' -d 'Master address host:port, or a comma-separated list of the primary and its shadows (default: $GFS_MASTER or 127.0.0.1:7700).' -rfka ''
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs undelete" timeout' -l 'timeout' -d 'Seconds to go on waiting, through master restarts and missing servers, with no progress before giving up with status 3.' -rfka ''
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs undelete" secret-file' -l 'secret-file' -d 'The cluster secret, a file only you may read (default: $GFS_SECRET_FILE, else ~/.config/gfs/secret if there is one; gfs up writes that one).' -rF
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs undelete" tls-ca' -l 'tls-ca' -d 'Speak TLS, trusting servers whose certificates this authority signed (PEM; default: $GFS_TLS_CA).' -rF
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs undelete" local-reads' -l 'local-reads' -d 'Read replicas on this machine straight from their files, verifying their checksums here (with --no-local-reads, over their chunkservers\' sockets like any other).'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs undelete" no-local-reads' -l 'no-local-reads' -d 'Read replicas on this machine straight from their files, verifying their checksums here (with --no-local-reads, over their chunkservers\' sockets like any other).'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_positional "gfs undelete" -ge 1' -fka '(__gfs_custom_completion ---completion undelete -- positional@0 (count (__gfs_tokens -pc)) (__gfs_tokens -tC))'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs undelete" version' -l 'version' -d 'Show the version.'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs undelete" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs touch" master' -l 'master' -d 'Master address host:port, or a comma-separated list of the primary and its shadows (default: $GFS_MASTER or 127.0.0.1:7700).' -rfka ''
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs touch" timeout' -l 'timeout' -d 'Seconds to go on waiting, through master restarts and missing servers, with no progress before giving up with status 3.' -rfka ''
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs touch" secret-file' -l 'secret-file' -d 'The cluster secret, a file only you may read (default: $GFS_SECRET_FILE, else ~/.config/gfs/secret if there is one; gfs up writes that one).' -rF
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs touch" tls-ca' -l 'tls-ca' -d 'Speak TLS, trusting servers whose certificates this authority signed (PEM; default: $GFS_TLS_CA).' -rF
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs touch" local-reads' -l 'local-reads' -d 'Read replicas on this machine straight from their files, verifying their checksums here (with --no-local-reads, over their chunkservers\' sockets like any other).'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs touch" no-local-reads' -l 'no-local-reads' -d 'Read replicas on this machine straight from their files, verifying their checksums here (with --no-local-reads, over their chunkservers\' sockets like any other).'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs touch" replication' -l 'replication' -d 'Replicas per chunk of a new file (default: the master\'s).' -rfka ''
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs touch" json' -l 'json' -d 'Print each file\'s entry as JSON afterwards.'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_positional "gfs touch" -ge 1' -fka '(__gfs_custom_completion ---completion touch -- positional@0 (count (__gfs_tokens -pc)) (__gfs_tokens -tC))'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs touch" version' -l 'version' -d 'Show the version.'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs touch" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs truncate" master' -l 'master' -d 'Master address host:port, or a comma-separated list of the primary and its shadows (default: $GFS_MASTER or 127.0.0.1:7700).' -rfka ''
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs truncate" timeout' -l 'timeout' -d 'Seconds to go on waiting, through master restarts and missing servers, with no progress before giving up with status 3.' -rfka ''
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs truncate" secret-file' -l 'secret-file' -d 'The cluster secret, a file only you may read (default: $GFS_SECRET_FILE, else ~/.config/gfs/secret if there is one; gfs up writes that one).' -rF
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs truncate" tls-ca' -l 'tls-ca' -d 'Speak TLS, trusting servers whose certificates this authority signed (PEM; default: $GFS_TLS_CA).' -rF
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs truncate" local-reads' -l 'local-reads' -d 'Read replicas on this machine straight from their files, verifying their checksums here (with --no-local-reads, over their chunkservers\' sockets like any other).'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs truncate" no-local-reads' -l 'no-local-reads' -d 'Read replicas on this machine straight from their files, verifying their checksums here (with --no-local-reads, over their chunkservers\' sockets like any other).'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs truncate" s' -s 's' -d 'The new size in bytes (64K, 1M … allowed).' -rfka ''
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs truncate" json' -l 'json' -d 'Print each file\'s entry as JSON afterwards.'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_positional "gfs truncate" -ge 1' -fka '(__gfs_custom_completion ---completion truncate -- positional@0 (count (__gfs_tokens -pc)) (__gfs_tokens -tC))'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs truncate" version' -l 'version' -d 'Show the version.'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs truncate" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs concat" master' -l 'master' -d 'Master address host:port, or a comma-separated list of the primary and its shadows (default: $GFS_MASTER or 127.0.0.1:7700).' -rfka ''
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs concat" timeout' -l 'timeout' -d 'Seconds to go on waiting, through master restarts and missing servers, with no progress before giving up with status 3.' -rfka ''
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs concat" secret-file' -l 'secret-file' -d 'The cluster secret, a file only you may read (default: $GFS_SECRET_FILE, else ~/.config/gfs/secret if there is one; gfs up writes that one).' -rF
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs concat" tls-ca' -l 'tls-ca' -d 'Speak TLS, trusting servers whose certificates this authority signed (PEM; default: $GFS_TLS_CA).' -rF
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs concat" local-reads' -l 'local-reads' -d 'Read replicas on this machine straight from their files, verifying their checksums here (with --no-local-reads, over their chunkservers\' sockets like any other).'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs concat" no-local-reads' -l 'no-local-reads' -d 'Read replicas on this machine straight from their files, verifying their checksums here (with --no-local-reads, over their chunkservers\' sockets like any other).'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs concat" replication' -l 'replication' -d 'Replicas per chunk of a new destination (default: the master\'s).' -rfka ''
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs concat" pad' -l 'pad' -d 'Pad sources that end mid-chunk with zeros to the chunk boundary (their last chunk is copied locally).'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs concat" json' -l 'json' -d 'Print the destination\'s entry as JSON afterwards.'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_positional "gfs concat" -eq 1' -fka '(__gfs_custom_completion ---completion concat -- positional@0 (count (__gfs_tokens -pc)) (__gfs_tokens -tC))'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_positional "gfs concat" -ge 2' -fka '(__gfs_custom_completion ---completion concat -- positional@1 (count (__gfs_tokens -pc)) (__gfs_tokens -tC))'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs concat" version' -l 'version' -d 'Show the version.'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs concat" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs setrep" master' -l 'master' -d 'Master address host:port, or a comma-separated list of the primary and its shadows (default: $GFS_MASTER or 127.0.0.1:7700).' -rfka ''
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs setrep" timeout' -l 'timeout' -d 'Seconds to go on waiting, through master restarts and missing servers, with no progress before giving up with status 3.' -rfka ''
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs setrep" secret-file' -l 'secret-file' -d 'The cluster secret, a file only you may read (default: $GFS_SECRET_FILE, else ~/.config/gfs/secret if there is one; gfs up writes that one).' -rF
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs setrep" tls-ca' -l 'tls-ca' -d 'Speak TLS, trusting servers whose certificates this authority signed (PEM; default: $GFS_TLS_CA).' -rF
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs setrep" local-reads' -l 'local-reads' -d 'Read replicas on this machine straight from their files, verifying their checksums here (with --no-local-reads, over their chunkservers\' sockets like any other).'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs setrep" no-local-reads' -l 'no-local-reads' -d 'Read replicas on this machine straight from their files, verifying their checksums here (with --no-local-reads, over their chunkservers\' sockets like any other).'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs setrep" R' -s 'R' -d 'Every file under a directory.'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs setrep" w' -s 'w' -d 'Wait until every chunk has exactly N live replicas.'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs setrep" json' -l 'json' -d 'Print JSON.'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_positional "gfs setrep" -ge 1' -fka '(__gfs_custom_completion ---completion setrep -- positional@1 (count (__gfs_tokens -pc)) (__gfs_tokens -tC))'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs setrep" version' -l 'version' -d 'Show the version.'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs setrep" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs quota" version' -l 'version' -d 'Show the version.'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs quota" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_positional "gfs quota" -eq 1' -fa 'set' -d 'Limit the files and bytes under a directory (needs admin).'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_positional "gfs quota" -eq 1' -fa 'clear' -d 'Remove a directory\'s quota (needs admin).'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_positional "gfs quota" -eq 1' -fa 'show' -d 'List the quotas at or under a path: path, files limit and use, bytes limit and use.'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs quota set" master' -l 'master' -d 'Master address host:port, or a comma-separated list of the primary and its shadows (default: $GFS_MASTER or 127.0.0.1:7700).' -rfka ''
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs quota set" timeout' -l 'timeout' -d 'Seconds to go on waiting, through master restarts and missing servers, with no progress before giving up with status 3.' -rfka ''
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs quota set" secret-file' -l 'secret-file' -d 'The cluster secret, a file only you may read (default: $GFS_SECRET_FILE, else ~/.config/gfs/secret if there is one; gfs up writes that one).' -rF
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs quota set" tls-ca' -l 'tls-ca' -d 'Speak TLS, trusting servers whose certificates this authority signed (PEM; default: $GFS_TLS_CA).' -rF
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs quota set" local-reads' -l 'local-reads' -d 'Read replicas on this machine straight from their files, verifying their checksums here (with --no-local-reads, over their chunkservers\' sockets like any other).'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs quota set" no-local-reads' -l 'no-local-reads' -d 'Read replicas on this machine straight from their files, verifying their checksums here (with --no-local-reads, over their chunkservers\' sockets like any other).'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs quota set" files' -l 'files' -d 'Most files and directories under it.' -rfka ''
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs quota set" bytes' -l 'bytes' -d 'Most bytes under it, each replica counted (64M, 1.5G …).' -rfka ''
complete -c 'gfs' -n '__gfs_should_offer_completions_for_positional "gfs quota set" -eq 1' -fka '(__gfs_custom_completion ---completion quota set -- positional@0 (count (__gfs_tokens -pc)) (__gfs_tokens -tC))'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs quota set" version' -l 'version' -d 'Show the version.'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs quota set" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs quota clear" master' -l 'master' -d 'Master address host:port, or a comma-separated list of the primary and its shadows (default: $GFS_MASTER or 127.0.0.1:7700).' -rfka ''
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs quota clear" timeout' -l 'timeout' -d 'Seconds to go on waiting, through master restarts and missing servers, with no progress before giving up with status 3.' -rfka ''
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs quota clear" secret-file' -l 'secret-file' -d 'The cluster secret, a file only you may read (default: $GFS_SECRET_FILE, else ~/.config/gfs/secret if there is one; gfs up writes that one).' -rF
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs quota clear" tls-ca' -l 'tls-ca' -d 'Speak TLS, trusting servers whose certificates this authority signed (PEM; default: $GFS_TLS_CA).' -rF
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs quota clear" local-reads' -l 'local-reads' -d 'Read replicas on this machine straight from their files, verifying their checksums here (with --no-local-reads, over their chunkservers\' sockets like any other).'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs quota clear" no-local-reads' -l 'no-local-reads' -d 'Read replicas on this machine straight from their files, verifying their checksums here (with --no-local-reads, over their chunkservers\' sockets like any other).'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_positional "gfs quota clear" -eq 1' -fka '(__gfs_custom_completion ---completion quota clear -- positional@0 (count (__gfs_tokens -pc)) (__gfs_tokens -tC))'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs quota clear" version' -l 'version' -d 'Show the version.'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs quota clear" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs quota show" master' -l 'master' -d 'Master address host:port, or a comma-separated list of the primary and its shadows (default: $GFS_MASTER or 127.0.0.1:7700).' -rfka ''
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs quota show" timeout' -l 'timeout' -d 'Seconds to go on waiting, through master restarts and missing servers, with no progress before giving up with status 3.' -rfka ''
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs quota show" secret-file' -l 'secret-file' -d 'The cluster secret, a file only you may read (default: $GFS_SECRET_FILE, else ~/.config/gfs/secret if there is one; gfs up writes that one).' -rF
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs quota show" tls-ca' -l 'tls-ca' -d 'Speak TLS, trusting servers whose certificates this authority signed (PEM; default: $GFS_TLS_CA).' -rF
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs quota show" local-reads' -l 'local-reads' -d 'Read replicas on this machine straight from their files, verifying their checksums here (with --no-local-reads, over their chunkservers\' sockets like any other).'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs quota show" no-local-reads' -l 'no-local-reads' -d 'Read replicas on this machine straight from their files, verifying their checksums here (with --no-local-reads, over their chunkservers\' sockets like any other).'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs quota show" h human-readable' -s 'h' -l 'human-readable' -d 'Sizes in K, M, G … (powers of 1024).'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs quota show" json' -l 'json' -d 'Print JSON.'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_positional "gfs quota show" -eq 1' -fka '(__gfs_custom_completion ---completion quota show -- positional@0 (count (__gfs_tokens -pc)) (__gfs_tokens -tC))'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs quota show" version' -l 'version' -d 'Show the version.'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs quota show" help' -l 'help' -d 'Show help information.'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs du" master' -l 'master' -d 'Master address host:port, or a comma-separated list of the primary and its shadows (default: $GFS_MASTER or 127.0.0.1:7700).' -rfka ''
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs du" timeout' -l 'timeout' -d 'Seconds to go on waiting, through master restarts and missing servers, with no progress before giving up with status 3.' -rfka ''
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs du" secret-file' -l 'secret-file' -d 'The cluster secret, a file only you may read (default: $GFS_SECRET_FILE, else ~/.config/gfs/secret if there is one; gfs up writes that one).' -rF
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs du" tls-ca' -l 'tls-ca' -d 'Speak TLS, trusting servers whose certificates this authority signed (PEM; default: $GFS_TLS_CA).' -rF
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs du" local-reads' -l 'local-reads' -d 'Read replicas on this machine straight from their files, verifying their checksums here (with --no-local-reads, over their chunkservers\' sockets like any other).'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs du" no-local-reads' -l 'no-local-reads' -d 'Read replicas on this machine straight from their files, verifying their checksums here (with --no-local-reads, over their chunkservers\' sockets like any other).'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs du" s' -s 's' -d 'One total per path instead of a line per entry inside it.'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs du" h human-readable' -s 'h' -l 'human-readable' -d 'Sizes in K, M, G … (powers of 1024).'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs du" json' -l 'json' -d 'Print JSON.'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_positional "gfs du" -ge 1' -fka '(__gfs_custom_completion ---completion du -- positional@0 (count (__gfs_tokens -pc)) (__gfs_tokens -tC))'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs du" version' -l 'version' -d 'Show the version.'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs du" help' -l 'help' -d 'Show help information.'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs count" master' -l 'master' -d 'Master address host:port, or a comma-separated list of the primary and its shadows (default: $GFS_MASTER or 127.0.0.1:7700).' -rfka ''
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs count" timeout' -l 'timeout' -d 'Seconds to go on waiting, through master restarts and missing servers, with no progress before giving up with status 3.' -rfka ''
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs count" secret-file' -l 'secret-file' -d 'The cluster secret, a file only you may read (default: $GFS_SECRET_FILE, else ~/.config/gfs/secret if there is one; gfs up writes that one).' -rF
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs count" tls-ca' -l 'tls-ca' -d 'Speak TLS, trusting servers whose certificates this authority signed (PEM; default: $GFS_TLS_CA).' -rF
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs count" local-reads' -l 'local-reads' -d 'Read replicas on this machine straight from their files, verifying their checksums here (with --no-local-reads, over their chunkservers\' sockets like any other).'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs count" no-local-reads' -l 'no-local-reads' -d 'Read replicas on this machine straight from their files, verifying their checksums here (with --no-local-reads, over their chunkservers\' sockets like any other).'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs count" h human-readable' -s 'h' -l 'human-readable' -d 'Sizes in K, M, G … (powers of 1024).'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs count" q' -s 'q' -d 'Also the path\'s quota: limits and what remains of them.'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs count" json' -l 'json' -d 'Print JSON.'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_positional "gfs count" -ge 1' -fka '(__gfs_custom_completion ---completion count -- positional@0 (count (__gfs_tokens -pc)) (__gfs_tokens -tC))'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs count" version' -l 'version' -d 'Show the version.'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs count" help' -l 'help' -d 'Show help information.'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs df" master' -l 'master' -d 'Master address host:port, or a comma-separated list of the primary and its shadows (default: $GFS_MASTER or 127.0.0.1:7700).' -rfka ''
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs df" timeout' -l 'timeout' -d 'Seconds to go on waiting, through master restarts and missing servers, with no progress before giving up with status 3.' -rfka ''
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs df" secret-file' -l 'secret-file' -d 'The cluster secret, a file only you may read (default: $GFS_SECRET_FILE, else ~/.config/gfs/secret if there is one; gfs up writes that one).' -rF
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs df" tls-ca' -l 'tls-ca' -d 'Speak TLS, trusting servers whose certificates this authority signed (PEM; default: $GFS_TLS_CA).' -rF
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs df" local-reads' -l 'local-reads' -d 'Read replicas on this machine straight from their files, verifying their checksums here (with --no-local-reads, over their chunkservers\' sockets like any other).'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs df" no-local-reads' -l 'no-local-reads' -d 'Read replicas on this machine straight from their files, verifying their checksums here (with --no-local-reads, over their chunkservers\' sockets like any other).'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs df" h human-readable' -s 'h' -l 'human-readable' -d 'Sizes in K, M, G … (powers of 1024).'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs df" json' -l 'json' -d 'Print JSON.'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs df" version' -l 'version' -d 'Show the version.'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs df" help' -l 'help' -d 'Show help information.'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs checksum" master' -l 'master' -d 'Master address host:port, or a comma-separated list of the primary and its shadows (default: $GFS_MASTER or 127.0.0.1:7700).' -rfka ''
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs checksum" timeout' -l 'timeout' -d 'Seconds to go on waiting, through master restarts and missing servers, with no progress before giving up with status 3.' -rfka ''
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs checksum" secret-file' -l 'secret-file' -d 'The cluster secret, a file only you may read (default: $GFS_SECRET_FILE, else ~/.config/gfs/secret if there is one; gfs up writes that one).' -rF
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs checksum" tls-ca' -l 'tls-ca' -d 'Speak TLS, trusting servers whose certificates this authority signed (PEM; default: $GFS_TLS_CA).' -rF
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs checksum" local-reads' -l 'local-reads' -d 'Read replicas on this machine straight from their files, verifying their checksums here (with --no-local-reads, over their chunkservers\' sockets like any other).'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs checksum" no-local-reads' -l 'no-local-reads' -d 'Read replicas on this machine straight from their files, verifying their checksums here (with --no-local-reads, over their chunkservers\' sockets like any other).'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs checksum" local' -l 'local' -d 'Checksum local files instead of remote ones.'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs checksum" json' -l 'json' -d 'Print JSON.'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_positional "gfs checksum" -ge 1' -fka '(__gfs_custom_completion ---completion checksum -- positional@0 (count (__gfs_tokens -pc)) (__gfs_tokens -tC))'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs checksum" version' -l 'version' -d 'Show the version.'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs checksum" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs fsck" master' -l 'master' -d 'Master address host:port, or a comma-separated list of the primary and its shadows (default: $GFS_MASTER or 127.0.0.1:7700).' -rfka ''
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs fsck" timeout' -l 'timeout' -d 'Seconds to go on waiting, through master restarts and missing servers, with no progress before giving up with status 3.' -rfka ''
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs fsck" secret-file' -l 'secret-file' -d 'The cluster secret, a file only you may read (default: $GFS_SECRET_FILE, else ~/.config/gfs/secret if there is one; gfs up writes that one).' -rF
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs fsck" tls-ca' -l 'tls-ca' -d 'Speak TLS, trusting servers whose certificates this authority signed (PEM; default: $GFS_TLS_CA).' -rF
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs fsck" local-reads' -l 'local-reads' -d 'Read replicas on this machine straight from their files, verifying their checksums here (with --no-local-reads, over their chunkservers\' sockets like any other).'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs fsck" no-local-reads' -l 'no-local-reads' -d 'Read replicas on this machine straight from their files, verifying their checksums here (with --no-local-reads, over their chunkservers\' sockets like any other).'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs fsck" files' -l 'files' -d 'List every file, healthy or not.'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs fsck" chunks' -l 'chunks' -d 'List every chunk of the files listed.'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs fsck" locations' -l 'locations' -d 'Name the servers holding each replica.'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs fsck" json' -l 'json' -d 'Print JSON.'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_positional "gfs fsck" -eq 1' -fka '(__gfs_custom_completion ---completion fsck -- positional@0 (count (__gfs_tokens -pc)) (__gfs_tokens -tC))'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs fsck" version' -l 'version' -d 'Show the version.'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs fsck" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs gc" master' -l 'master' -d 'Master address host:port, or a comma-separated list of the primary and its shadows (default: $GFS_MASTER or 127.0.0.1:7700).' -rfka ''
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs gc" timeout' -l 'timeout' -d 'Seconds to go on waiting, through master restarts and missing servers, with no progress before giving up with status 3.' -rfka ''
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs gc" secret-file' -l 'secret-file' -d 'The cluster secret, a file only you may read (default: $GFS_SECRET_FILE, else ~/.config/gfs/secret if there is one; gfs up writes that one).' -rF
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs gc" tls-ca' -l 'tls-ca' -d 'Speak TLS, trusting servers whose certificates this authority signed (PEM; default: $GFS_TLS_CA).' -rF
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs gc" local-reads' -l 'local-reads' -d 'Read replicas on this machine straight from their files, verifying their checksums here (with --no-local-reads, over their chunkservers\' sockets like any other).'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs gc" no-local-reads' -l 'no-local-reads' -d 'Read replicas on this machine straight from their files, verifying their checksums here (with --no-local-reads, over their chunkservers\' sockets like any other).'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs gc" now' -l 'now' -d 'Purge every deleted file now, ignoring the grace period.'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs gc" json' -l 'json' -d 'Print JSON.'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs gc" version' -l 'version' -d 'Show the version.'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs gc" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs status" master' -l 'master' -d 'Master address host:port, or a comma-separated list of the primary and its shadows (default: $GFS_MASTER or 127.0.0.1:7700).' -rfka ''
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs status" timeout' -l 'timeout' -d 'Seconds to go on waiting, through master restarts and missing servers, with no progress before giving up with status 3.' -rfka ''
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs status" secret-file' -l 'secret-file' -d 'The cluster secret, a file only you may read (default: $GFS_SECRET_FILE, else ~/.config/gfs/secret if there is one; gfs up writes that one).' -rF
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs status" tls-ca' -l 'tls-ca' -d 'Speak TLS, trusting servers whose certificates this authority signed (PEM; default: $GFS_TLS_CA).' -rF
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs status" local-reads' -l 'local-reads' -d 'Read replicas on this machine straight from their files, verifying their checksums here (with --no-local-reads, over their chunkservers\' sockets like any other).'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs status" no-local-reads' -l 'no-local-reads' -d 'Read replicas on this machine straight from their files, verifying their checksums here (with --no-local-reads, over their chunkservers\' sockets like any other).'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs status" h human-readable' -s 'h' -l 'human-readable' -d 'Sizes in K, M, G … (powers of 1024).'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs status" json' -l 'json' -d 'Print JSON.'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs status" version' -l 'version' -d 'Show the version.'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs status" help' -l 'help' -d 'Show help information.'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs drain" master' -l 'master' -d 'Master address host:port, or a comma-separated list of the primary and its shadows (default: $GFS_MASTER or 127.0.0.1:7700).' -rfka ''
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs drain" timeout' -l 'timeout' -d 'Seconds to go on waiting, through master restarts and missing servers, with no progress before giving up with status 3.' -rfka ''
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs drain" secret-file' -l 'secret-file' -d 'The cluster secret, a file only you may read (default: $GFS_SECRET_FILE, else ~/.config/gfs/secret if there is one; gfs up writes that one).' -rF
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs drain" tls-ca' -l 'tls-ca' -d 'Speak TLS, trusting servers whose certificates this authority signed (PEM; default: $GFS_TLS_CA).' -rF
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs drain" local-reads' -l 'local-reads' -d 'Read replicas on this machine straight from their files, verifying their checksums here (with --no-local-reads, over their chunkservers\' sockets like any other).'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs drain" no-local-reads' -l 'no-local-reads' -d 'Read replicas on this machine straight from their files, verifying their checksums here (with --no-local-reads, over their chunkservers\' sockets like any other).'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs drain" stop' -l 'stop' -d 'Stop draining it.'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs drain" version' -l 'version' -d 'Show the version.'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs drain" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs tune" master' -l 'master' -d 'Master address host:port, or a comma-separated list of the primary and its shadows (default: $GFS_MASTER or 127.0.0.1:7700).' -rfka ''
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs tune" timeout' -l 'timeout' -d 'Seconds to go on waiting, through master restarts and missing servers, with no progress before giving up with status 3.' -rfka ''
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs tune" secret-file' -l 'secret-file' -d 'The cluster secret, a file only you may read (default: $GFS_SECRET_FILE, else ~/.config/gfs/secret if there is one; gfs up writes that one).' -rF
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs tune" tls-ca' -l 'tls-ca' -d 'Speak TLS, trusting servers whose certificates this authority signed (PEM; default: $GFS_TLS_CA).' -rF
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs tune" local-reads' -l 'local-reads' -d 'Read replicas on this machine straight from their files, verifying their checksums here (with --no-local-reads, over their chunkservers\' sockets like any other).'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs tune" no-local-reads' -l 'no-local-reads' -d 'Read replicas on this machine straight from their files, verifying their checksums here (with --no-local-reads, over their chunkservers\' sockets like any other).'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs tune" clones-per-server' -l 'clones-per-server' -d 'Copies at once per chunkserver, as source or target.' -rfka ''
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs tune" clones-total' -l 'clones-total' -d 'Copies at once in the whole cluster.' -rfka ''
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs tune" clone-rate' -l 'clone-rate' -d 'Bytes per second each copy may read (e.g. 20M).' -rfka ''
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs tune" version' -l 'version' -d 'Show the version.'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs tune" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs promote" master' -l 'master' -d 'Master address host:port, or a comma-separated list of the primary and its shadows (default: $GFS_MASTER or 127.0.0.1:7700).' -rfka ''
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs promote" timeout' -l 'timeout' -d 'Seconds to go on waiting, through master restarts and missing servers, with no progress before giving up with status 3.' -rfka ''
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs promote" secret-file' -l 'secret-file' -d 'The cluster secret, a file only you may read (default: $GFS_SECRET_FILE, else ~/.config/gfs/secret if there is one; gfs up writes that one).' -rF
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs promote" tls-ca' -l 'tls-ca' -d 'Speak TLS, trusting servers whose certificates this authority signed (PEM; default: $GFS_TLS_CA).' -rF
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs promote" local-reads' -l 'local-reads' -d 'Read replicas on this machine straight from their files, verifying their checksums here (with --no-local-reads, over their chunkservers\' sockets like any other).'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs promote" no-local-reads' -l 'no-local-reads' -d 'Read replicas on this machine straight from their files, verifying their checksums here (with --no-local-reads, over their chunkservers\' sockets like any other).'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs promote" version' -l 'version' -d 'Show the version.'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs promote" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs shell" master' -l 'master' -d 'Master address host:port, or a comma-separated list of the primary and its shadows (default: $GFS_MASTER or 127.0.0.1:7700).' -rfka ''
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs shell" timeout' -l 'timeout' -d 'Seconds to go on waiting, through master restarts and missing servers, with no progress before giving up with status 3.' -rfka ''
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs shell" secret-file' -l 'secret-file' -d 'The cluster secret, a file only you may read (default: $GFS_SECRET_FILE, else ~/.config/gfs/secret if there is one; gfs up writes that one).' -rF
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs shell" tls-ca' -l 'tls-ca' -d 'Speak TLS, trusting servers whose certificates this authority signed (PEM; default: $GFS_TLS_CA).' -rF
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs shell" local-reads' -l 'local-reads' -d 'Read replicas on this machine straight from their files, verifying their checksums here (with --no-local-reads, over their chunkservers\' sockets like any other).'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs shell" no-local-reads' -l 'no-local-reads' -d 'Read replicas on this machine straight from their files, verifying their checksums here (with --no-local-reads, over their chunkservers\' sockets like any other).'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs shell" c' -s 'c' -d 'Run these commands and exit.' -rfka ''
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs shell" keep-going' -l 'keep-going' -d 'In a script, go on after a failing command (the exit status is still that of a failure).'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_positional "gfs shell" -eq 1' -F
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs shell" version' -l 'version' -d 'Show the version.'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs shell" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs bench" master' -l 'master' -d 'Master address host:port, or a comma-separated list of the primary and its shadows (default: $GFS_MASTER or 127.0.0.1:7700).' -rfka ''
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs bench" timeout' -l 'timeout' -d 'Seconds to go on waiting, through master restarts and missing servers, with no progress before giving up with status 3.' -rfka ''
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs bench" secret-file' -l 'secret-file' -d 'The cluster secret, a file only you may read (default: $GFS_SECRET_FILE, else ~/.config/gfs/secret if there is one; gfs up writes that one).' -rF
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs bench" tls-ca' -l 'tls-ca' -d 'Speak TLS, trusting servers whose certificates this authority signed (PEM; default: $GFS_TLS_CA).' -rF
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs bench" local-reads' -l 'local-reads' -d 'Read replicas on this machine straight from their files, verifying their checksums here (with --no-local-reads, over their chunkservers\' sockets like any other).'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs bench" no-local-reads' -l 'no-local-reads' -d 'Read replicas on this machine straight from their files, verifying their checksums here (with --no-local-reads, over their chunkservers\' sockets like any other).'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_positional "gfs bench" -eq 1' -fka 'write read append meta memory'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs bench" clients' -l 'clients' -d 'Concurrent clients.' -rfka ''
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs bench" size' -l 'size' -d 'Bytes written or read in all (write, read, append).' -rfka ''
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs bench" record-size' -l 'record-size' -d 'Bytes per record (append).' -rfka ''
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs bench" batch' -l 'batch' -d 'Records per append operation (append); 256 records of 4 KiB are the 1 MiB that gfs append groups.' -rfka ''
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs bench" files' -l 'files' -d 'Files (meta, memory).' -rfka ''
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs bench" chunks' -l 'chunks' -d 'Chunks in all, spread evenly over the files (memory).' -rfka ''
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs bench" local' -l 'local' -d 'Run against a new local cluster in a temporary folder, stopped and removed afterwards.'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs bench" baseline' -l 'baseline' -d 'Also measure the machine doing the same work without gfs, and print ratios.'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs bench" rounds' -l 'rounds' -d 'Rounds, each measuring gfs and then (with --baseline) the machine. With more than one, a last line gives the rounds\' median of each figure, each ratio the median of the ratios taken within the rounds: on a shared machine one round\'s ratio can swing by a fifth. With --local, each round starts once the chunkservers have deleted the last round\'s replicas, so no round pays for another\'s deletes.' -rfka ''
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs bench" json' -l 'json' -d 'Print JSON.'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs bench" version' -l 'version' -d 'Show the version.'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs bench" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'gfs' -n '__gfs_should_offer_completions_for_flags_or_options "gfs help" version' -l 'version' -d 'Show the version.'
