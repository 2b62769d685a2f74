#!/bin/bash

__gfs_cursor_index_in_current_word() {
    local remaining="${COMP_LINE}"

    local word
    for word in "${COMP_WORDS[@]::COMP_CWORD}"; do
        remaining="${remaining##*([[:space:]])"${word}"*([[:space:]])}"
    done

    local -ir index="$((COMP_POINT - ${#COMP_LINE} + ${#remaining}))"
    if [[ "${index}" -le 0 ]]; then
        printf 0
    else
        printf %s "${index}"
    fi
}

# positional arguments:
#
# - 1: the current (sub)command's count of positional arguments
#
# required variables:
#
# - repeating_flags: the repeating flags that the current (sub)command can accept
# - non_repeating_flags: the non-repeating flags that the current (sub)command can accept
# - repeating_options: the repeating options that the current (sub)command can accept
# - non_repeating_options: the non-repeating options that the current (sub)command can accept
# - positional_number: value ignored
# - unparsed_words: unparsed words from the current command line
#
# modified variables:
#
# - non_repeating_flags: remove flags for this (sub)command that are already on the command line
# - non_repeating_options: remove options for this (sub)command that are already on the command line
# - positional_number: set to the current positional number
# - unparsed_words: remove all flags, options, and option values for this (sub)command
__gfs_offer_flags_options() {
    local -ir positional_count="${1}"
    positional_number=0

    local was_flag_option_terminator_seen=false
    local is_parsing_option_value=false

    local -ar unparsed_word_indices=("${!unparsed_words[@]}")
    local -i word_index
    for word_index in "${unparsed_word_indices[@]}"; do
        if "${is_parsing_option_value}"; then
            # This word is an option value:
            # Reset marker for next word iff not currently the last word
            [[ "${word_index}" -ne "${unparsed_word_indices[${#unparsed_word_indices[@]} - 1]}" ]] && is_parsing_option_value=false
            unset "unparsed_words[${word_index}]"
            # Do not process this word as a flag or an option
            continue
        fi

        local word="${unparsed_words["${word_index}"]}"
        if ! "${was_flag_option_terminator_seen}"; then
            case "${word}" in
            --)
                unset "unparsed_words[${word_index}]"
                # by itself -- is a flag/option terminator, but if it is the last word, it is the start of a completion
                if [[ "${word_index}" -ne "${unparsed_word_indices[${#unparsed_word_indices[@]} - 1]}" ]]; then
                    was_flag_option_terminator_seen=true
                fi
                continue
                ;;
            -*)
                # ${word} is a flag or an option
                # If ${word} is an option, mark that the next word to be parsed is an option value
                local option
                for option in "${repeating_options[@]}" "${non_repeating_options[@]}"; do
                    [[ "${word}" = "${option}" ]] && is_parsing_option_value=true && break
                done

                # Remove ${word} from ${non_repeating_flags} or ${non_repeating_options} so it isn't offered again
                local not_found=true
                local -i index
                for index in "${!non_repeating_flags[@]}"; do
                    if [[ "${non_repeating_flags[${index}]}" = "${word}" ]]; then
                        unset "non_repeating_flags[${index}]"
                        non_repeating_flags=("${non_repeating_flags[@]}")
                        not_found=false
                        break
                    fi
                done
                if "${not_found}"; then
                    for index in "${!non_repeating_flags[@]}"; do
                        if [[ "${non_repeating_flags[${index}]}" = "${word}" ]]; then
                            unset "non_repeating_flags[${index}]"
                            non_repeating_flags=("${non_repeating_flags[@]}")
                            break
                        fi
                    done
                fi
                unset "unparsed_words[${word_index}]"
                continue
                ;;
            esac
        fi

        # ${word} is neither a flag, nor an option, nor an option value
        if [[ "${positional_number}" -lt "${positional_count}" || "${positional_count}" -lt 0 ]]; then
            # ${word} is a positional
            ((positional_number++))
            unset "unparsed_words[${word_index}]"
        else
            if [[ -z "${word}" ]]; then
                # Could be completing a flag, option, or subcommand
                positional_number=-1
            else
                # ${word} is a subcommand or invalid, so stop processing this (sub)command
                positional_number=-2
            fi
            break
        fi
    done

    unparsed_words=("${unparsed_words[@]}")

    if\
        ! "${was_flag_option_terminator_seen}"\
        && ! "${is_parsing_option_value}"\
        && [[ ("${cur}" = -* && "${positional_number}" -ge 0) || "${positional_number}" -eq -1 ]]
    then
        COMPREPLY+=($(compgen -W "${repeating_flags[*]} ${non_repeating_flags[*]} ${repeating_options[*]} ${non_repeating_options[*]}" -- "${cur}"))
    fi
}

__gfs_add_completions() {
    local completion
    while IFS='' read -r completion; do
        COMPREPLY+=("${completion}")
    done < <(IFS=$'\n' compgen "${@}" -- "${cur}")
}

__gfs_custom_complete() {
    if [[ -n "${cur}" || -z ${COMP_WORDS[${COMP_CWORD}]} || "${COMP_LINE:${COMP_POINT}:1}" != ' ' ]]; then
        local -ar words=("${COMP_WORDS[@]}")
    else
        local -ar words=("${COMP_WORDS[@]::${COMP_CWORD}}" '' "${COMP_WORDS[@]:${COMP_CWORD}}")
    fi

    "${COMP_WORDS[0]}" "${@}" "${words[@]}"
}

_gfs() {
    local state
    state="$(shopt -p;shopt -po)"
    trap "${state//$'\n'/;}" RETURN
    shopt -s extglob
    set +o history +o posix

    local -xr SAP_SHELL=bash
    local -x SAP_SHELL_VERSION
    SAP_SHELL_VERSION="$(IFS='.';printf %s "${BASH_VERSINFO[*]}")"
    local -r SAP_SHELL_VERSION

    local -r cur="${2}"
    local -r prev="${3}"

    local -i positional_number
    local -a unparsed_words=("${COMP_WORDS[@]:1:${COMP_CWORD}}")

    local -a repeating_flags=()
    local -a non_repeating_flags=(--version -h --help)
    local -a repeating_options=()
    local -a non_repeating_options=()
    __gfs_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    up|master|chunkserver|put|append|write|cat|tail|get|ls|stat|mkdir|mv|rm|snapshot|undelete|touch|truncate|concat|setrep|quota|du|count|df|checksum|fsck|gc|status|drain|tune|promote|shell|bench|help)
        # Offer subcommand argument completions
        "_gfs_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'up master chunkserver put append write cat tail get ls stat mkdir mv rm snapshot undelete touch truncate concat setrep quota du count df checksum fsck gc status drain tune promote shell bench help' -- "${cur}"))
        ;;
    esac
}

_gfs_up() {
    repeating_flags=()
    non_repeating_flags=(--ha --version -h --help)
    repeating_options=()
    non_repeating_options=(--dir --chunkservers --port --chunk-size --log-level)
    __gfs_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--dir')
        __gfs_add_completions -d
        return
        ;;
    '--chunkservers')
        return
        ;;
    '--port')
        return
        ;;
    '--chunk-size')
        return
        ;;
    '--log-level')
        return
        ;;
    esac
}

_gfs_master() {
    repeating_flags=()
    non_repeating_flags=(--bootstrap --version -h --help)
    repeating_options=()
    non_repeating_options=(--dir --log-level --secret-file --tls-cert --tls-key --tls-ca --http --principals --exports --master-key --audit-log --listen --chunk-size --replication --min-replicas --lease --checkpoint-bytes --shadow-of --log-replicas --etcd --etcd-prefix --etcd-ttl --advertise --heartbeat-timeout --repair-interval --clones-per-server --clones-total --clone-rate --restart-grace --deleted-grace --gc-interval)
    __gfs_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--dir')
        __gfs_add_completions -d
        return
        ;;
    '--log-level')
        __gfs_add_completions -W 'trace'$'\n''debug'$'\n''info'$'\n''notice'$'\n''warning'$'\n''error'$'\n''critical'
        return
        ;;
    '--secret-file')
        __gfs_add_completions -f
        return
        ;;
    '--tls-cert')
        __gfs_add_completions -f
        return
        ;;
    '--tls-key')
        __gfs_add_completions -f
        return
        ;;
    '--tls-ca')
        __gfs_add_completions -f
        return
        ;;
    '--http')
        return
        ;;
    '--principals')
        __gfs_add_completions -f
        return
        ;;
    '--exports')
        __gfs_add_completions -f
        return
        ;;
    '--master-key')
        __gfs_add_completions -f
        return
        ;;
    '--audit-log')
        __gfs_add_completions -f
        return
        ;;
    '--listen')
        return
        ;;
    '--chunk-size')
        return
        ;;
    '--replication')
        return
        ;;
    '--min-replicas')
        return
        ;;
    '--lease')
        return
        ;;
    '--checkpoint-bytes')
        return
        ;;
    '--shadow-of')
        return
        ;;
    '--log-replicas')
        return
        ;;
    '--etcd')
        return
        ;;
    '--etcd-prefix')
        return
        ;;
    '--etcd-ttl')
        return
        ;;
    '--advertise')
        return
        ;;
    '--heartbeat-timeout')
        return
        ;;
    '--repair-interval')
        return
        ;;
    '--clones-per-server')
        return
        ;;
    '--clones-total')
        return
        ;;
    '--clone-rate')
        return
        ;;
    '--restart-grace')
        return
        ;;
    '--deleted-grace')
        return
        ;;
    '--gc-interval')
        return
        ;;
    esac
}

_gfs_chunkserver() {
    repeating_flags=()
    non_repeating_flags=(--no-fsync --version -h --help)
    repeating_options=()
    non_repeating_options=(--dir --log-level --secret-file --tls-cert --tls-key --tls-ca --http --listen --advertise --master --rack --heartbeat-interval --push-buffer --report-interval --scrub-rate --ack-log --master-public-key)
    __gfs_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--dir')
        __gfs_add_completions -d
        return
        ;;
    '--log-level')
        __gfs_add_completions -W 'trace'$'\n''debug'$'\n''info'$'\n''notice'$'\n''warning'$'\n''error'$'\n''critical'
        return
        ;;
    '--secret-file')
        __gfs_add_completions -f
        return
        ;;
    '--tls-cert')
        __gfs_add_completions -f
        return
        ;;
    '--tls-key')
        __gfs_add_completions -f
        return
        ;;
    '--tls-ca')
        __gfs_add_completions -f
        return
        ;;
    '--http')
        return
        ;;
    '--listen')
        return
        ;;
    '--advertise')
        return
        ;;
    '--master')
        return
        ;;
    '--rack')
        return
        ;;
    '--heartbeat-interval')
        return
        ;;
    '--push-buffer')
        return
        ;;
    '--report-interval')
        return
        ;;
    '--scrub-rate')
        return
        ;;
    '--ack-log')
        return
        ;;
    '--master-public-key')
        __gfs_add_completions -f
        return
        ;;
    esac
}

_gfs_put() {
    repeating_flags=()
    non_repeating_flags=(--local-reads --no-local-reads --force -f --progress --no-progress --version -h --help)
    repeating_options=()
    non_repeating_options=(--master --timeout --secret-file --tls-ca --replication -r)
    __gfs_offer_flags_options 2

    # Offer option value completions
    case "${prev}" in
    '--master')
        return
        ;;
    '--timeout')
        return
        ;;
    '--secret-file')
        __gfs_add_completions -f
        return
        ;;
    '--tls-ca')
        __gfs_add_completions -f
        return
        ;;
    '--replication'|'-r')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __gfs_add_completions -f
        return
        ;;
    2)
        __gfs_add_completions -W "$(__gfs_custom_complete ---completion put -- positional@1 "${COMP_CWORD}" "$(__gfs_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_gfs_append() {
    repeating_flags=()
    non_repeating_flags=(--local-reads --no-local-reads --create --raw -0 --null --version -h --help)
    repeating_options=()
    non_repeating_options=(--master --timeout --secret-file --tls-ca --record-size --replication -r)
    __gfs_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--master')
        return
        ;;
    '--timeout')
        return
        ;;
    '--secret-file')
        __gfs_add_completions -f
        return
        ;;
    '--tls-ca')
        __gfs_add_completions -f
        return
        ;;
    '--record-size')
        return
        ;;
    '--replication'|'-r')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __gfs_add_completions -W "$(__gfs_custom_complete ---completion append -- positional@0 "${COMP_CWORD}" "$(__gfs_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_gfs_write() {
    repeating_flags=()
    non_repeating_flags=(--local-reads --no-local-reads --version -h --help)
    repeating_options=()
    non_repeating_options=(--master --timeout --secret-file --tls-ca --offset)
    __gfs_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--master')
        return
        ;;
    '--timeout')
        return
        ;;
    '--secret-file')
        __gfs_add_completions -f
        return
        ;;
    '--tls-ca')
        __gfs_add_completions -f
        return
        ;;
    '--offset')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __gfs_add_completions -W "$(__gfs_custom_complete ---completion write -- positional@0 "${COMP_CWORD}" "$(__gfs_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_gfs_cat() {
    repeating_flags=()
    non_repeating_flags=(--local-reads --no-local-reads --progress --no-progress --raw --stale --follow --version -h --help)
    repeating_options=()
    non_repeating_options=(--master --timeout --secret-file --tls-ca)
    __gfs_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '--master')
        return
        ;;
    '--timeout')
        return
        ;;
    '--secret-file')
        __gfs_add_completions -f
        return
        ;;
    '--tls-ca')
        __gfs_add_completions -f
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    *)
        __gfs_add_completions -W "$(__gfs_custom_complete ---completion cat -- positional@0 "${COMP_CWORD}" "$(__gfs_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_gfs_tail() {
    repeating_flags=()
    non_repeating_flags=(--local-reads --no-local-reads -f --raw --version -h --help)
    repeating_options=()
    non_repeating_options=(--master --timeout --secret-file --tls-ca -n)
    __gfs_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--master')
        return
        ;;
    '--timeout')
        return
        ;;
    '--secret-file')
        __gfs_add_completions -f
        return
        ;;
    '--tls-ca')
        __gfs_add_completions -f
        return
        ;;
    '-n')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __gfs_add_completions -W "$(__gfs_custom_complete ---completion tail -- positional@0 "${COMP_CWORD}" "$(__gfs_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_gfs_get() {
    repeating_flags=()
    non_repeating_flags=(--local-reads --no-local-reads --progress --no-progress --version -h --help)
    repeating_options=()
    non_repeating_options=(--master --timeout --secret-file --tls-ca)
    __gfs_offer_flags_options 2

    # Offer option value completions
    case "${prev}" in
    '--master')
        return
        ;;
    '--timeout')
        return
        ;;
    '--secret-file')
        __gfs_add_completions -f
        return
        ;;
    '--tls-ca')
        __gfs_add_completions -f
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __gfs_add_completions -W "$(__gfs_custom_complete ---completion get -- positional@0 "${COMP_CWORD}" "$(__gfs_cursor_index_in_current_word)")"
        return
        ;;
    2)
        __gfs_add_completions -f
        return
        ;;
    esac
}

_gfs_ls() {
    repeating_flags=()
    non_repeating_flags=(--local-reads --no-local-reads -l -h --human-readable --json --deleted --version --help)
    repeating_options=()
    non_repeating_options=(--master --timeout --secret-file --tls-ca)
    __gfs_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '--master')
        return
        ;;
    '--timeout')
        return
        ;;
    '--secret-file')
        __gfs_add_completions -f
        return
        ;;
    '--tls-ca')
        __gfs_add_completions -f
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    *)
        __gfs_add_completions -W "$(__gfs_custom_complete ---completion ls -- positional@0 "${COMP_CWORD}" "$(__gfs_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_gfs_stat() {
    repeating_flags=()
    non_repeating_flags=(--local-reads --no-local-reads -h --human-readable --json --version --help)
    repeating_options=()
    non_repeating_options=(--master --timeout --secret-file --tls-ca)
    __gfs_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '--master')
        return
        ;;
    '--timeout')
        return
        ;;
    '--secret-file')
        __gfs_add_completions -f
        return
        ;;
    '--tls-ca')
        __gfs_add_completions -f
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    *)
        __gfs_add_completions -W "$(__gfs_custom_complete ---completion stat -- positional@0 "${COMP_CWORD}" "$(__gfs_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_gfs_mkdir() {
    repeating_flags=()
    non_repeating_flags=(--local-reads --no-local-reads -p --version -h --help)
    repeating_options=()
    non_repeating_options=(--master --timeout --secret-file --tls-ca)
    __gfs_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '--master')
        return
        ;;
    '--timeout')
        return
        ;;
    '--secret-file')
        __gfs_add_completions -f
        return
        ;;
    '--tls-ca')
        __gfs_add_completions -f
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    *)
        __gfs_add_completions -W "$(__gfs_custom_complete ---completion mkdir -- positional@0 "${COMP_CWORD}" "$(__gfs_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_gfs_mv() {
    repeating_flags=()
    non_repeating_flags=(--local-reads --no-local-reads --version -h --help)
    repeating_options=()
    non_repeating_options=(--master --timeout --secret-file --tls-ca)
    __gfs_offer_flags_options 2

    # Offer option value completions
    case "${prev}" in
    '--master')
        return
        ;;
    '--timeout')
        return
        ;;
    '--secret-file')
        __gfs_add_completions -f
        return
        ;;
    '--tls-ca')
        __gfs_add_completions -f
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __gfs_add_completions -W "$(__gfs_custom_complete ---completion mv -- positional@0 "${COMP_CWORD}" "$(__gfs_cursor_index_in_current_word)")"
        return
        ;;
    2)
        __gfs_add_completions -W "$(__gfs_custom_complete ---completion mv -- positional@1 "${COMP_CWORD}" "$(__gfs_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_gfs_rm() {
    repeating_flags=()
    non_repeating_flags=(--local-reads --no-local-reads -r -f --version -h --help)
    repeating_options=()
    non_repeating_options=(--master --timeout --secret-file --tls-ca)
    __gfs_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '--master')
        return
        ;;
    '--timeout')
        return
        ;;
    '--secret-file')
        __gfs_add_completions -f
        return
        ;;
    '--tls-ca')
        __gfs_add_completions -f
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    *)
        __gfs_add_completions -W "$(__gfs_custom_complete ---completion rm -- positional@0 "${COMP_CWORD}" "$(__gfs_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_gfs_snapshot() {
    repeating_flags=()
    non_repeating_flags=(--local-reads --no-local-reads --version -h --help)
    repeating_options=()
    non_repeating_options=(--master --timeout --secret-file --tls-ca)
    __gfs_offer_flags_options 2

    # Offer option value completions
    case "${prev}" in
    '--master')
        return
        ;;
    '--timeout')
        return
        ;;
    '--secret-file')
        __gfs_add_completions -f
        return
        ;;
    '--tls-ca')
        __gfs_add_completions -f
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __gfs_add_completions -W "$(__gfs_custom_complete ---completion snapshot -- positional@0 "${COMP_CWORD}" "$(__gfs_cursor_index_in_current_word)")"
        return
        ;;
    2)
        __gfs_add_completions -W "$(__gfs_custom_complete ---completion snapshot -- positional@1 "${COMP_CWORD}" "$(__gfs_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_gfs_undelete() {
    repeating_flags=()
    non_repeating_flags=(--local-reads --no-local-reads --version -h --help)
    repeating_options=()
    non_repeating_options=(--master --timeout --secret-file --tls-ca)
    __gfs_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '--master')
        return
        ;;
    '--timeout')
        return
        ;;
    '--secret-file')
        __gfs_add_completions -f
        return
        ;;
    '--tls-ca')
        __gfs_add_completions -f
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    *)
        __gfs_add_completions -W "$(__gfs_custom_complete ---completion undelete -- positional@0 "${COMP_CWORD}" "$(__gfs_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_gfs_touch() {
    repeating_flags=()
    non_repeating_flags=(--local-reads --no-local-reads --json --version -h --help)
    repeating_options=()
    non_repeating_options=(--master --timeout --secret-file --tls-ca --replication)
    __gfs_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '--master')
        return
        ;;
    '--timeout')
        return
        ;;
    '--secret-file')
        __gfs_add_completions -f
        return
        ;;
    '--tls-ca')
        __gfs_add_completions -f
        return
        ;;
    '--replication')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    *)
        __gfs_add_completions -W "$(__gfs_custom_complete ---completion touch -- positional@0 "${COMP_CWORD}" "$(__gfs_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_gfs_truncate() {
    repeating_flags=()
    non_repeating_flags=(--local-reads --no-local-reads --json --version -h --help)
    repeating_options=()
    non_repeating_options=(--master --timeout --secret-file --tls-ca -s)
    __gfs_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '--master')
        return
        ;;
    '--timeout')
        return
        ;;
    '--secret-file')
        __gfs_add_completions -f
        return
        ;;
    '--tls-ca')
        __gfs_add_completions -f
        return
        ;;
    '-s')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    *)
        __gfs_add_completions -W "$(__gfs_custom_complete ---completion truncate -- positional@0 "${COMP_CWORD}" "$(__gfs_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_gfs_concat() {
    repeating_flags=()
    non_repeating_flags=(--local-reads --no-local-reads --pad --json --version -h --help)
    repeating_options=()
    non_repeating_options=(--master --timeout --secret-file --tls-ca --replication)
    __gfs_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '--master')
        return
        ;;
    '--timeout')
        return
        ;;
    '--secret-file')
        __gfs_add_completions -f
        return
        ;;
    '--tls-ca')
        __gfs_add_completions -f
        return
        ;;
    '--replication')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __gfs_add_completions -W "$(__gfs_custom_complete ---completion concat -- positional@0 "${COMP_CWORD}" "$(__gfs_cursor_index_in_current_word)")"
        return
        ;;
    *)
        __gfs_add_completions -W "$(__gfs_custom_complete ---completion concat -- positional@1 "${COMP_CWORD}" "$(__gfs_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_gfs_setrep() {
    repeating_flags=()
    non_repeating_flags=(--local-reads --no-local-reads -R -w --json --version -h --help)
    repeating_options=()
    non_repeating_options=(--master --timeout --secret-file --tls-ca)
    __gfs_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '--master')
        return
        ;;
    '--timeout')
        return
        ;;
    '--secret-file')
        __gfs_add_completions -f
        return
        ;;
    '--tls-ca')
        __gfs_add_completions -f
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    *)
        __gfs_add_completions -W "$(__gfs_custom_complete ---completion setrep -- positional@1 "${COMP_CWORD}" "$(__gfs_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_gfs_quota() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=()
    __gfs_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    set|clear|show)
        # Offer subcommand argument completions
        "_gfs_quota_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'set clear show' -- "${cur}"))
        ;;
    esac
}

_gfs_quota_set() {
    repeating_flags=()
    non_repeating_flags=(--local-reads --no-local-reads --version -h --help)
    repeating_options=()
    non_repeating_options=(--master --timeout --secret-file --tls-ca --files --bytes)
    __gfs_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--master')
        return
        ;;
    '--timeout')
        return
        ;;
    '--secret-file')
        __gfs_add_completions -f
        return
        ;;
    '--tls-ca')
        __gfs_add_completions -f
        return
        ;;
    '--files')
        return
        ;;
    '--bytes')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __gfs_add_completions -W "$(__gfs_custom_complete ---completion quota set -- positional@0 "${COMP_CWORD}" "$(__gfs_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_gfs_quota_clear() {
    repeating_flags=()
    non_repeating_flags=(--local-reads --no-local-reads --version -h --help)
    repeating_options=()
    non_repeating_options=(--master --timeout --secret-file --tls-ca)
    __gfs_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--master')
        return
        ;;
    '--timeout')
        return
        ;;
    '--secret-file')
        __gfs_add_completions -f
        return
        ;;
    '--tls-ca')
        __gfs_add_completions -f
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __gfs_add_completions -W "$(__gfs_custom_complete ---completion quota clear -- positional@0 "${COMP_CWORD}" "$(__gfs_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_gfs_quota_show() {
    repeating_flags=()
    non_repeating_flags=(--local-reads --no-local-reads -h --human-readable --json --version --help)
    repeating_options=()
    non_repeating_options=(--master --timeout --secret-file --tls-ca)
    __gfs_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--master')
        return
        ;;
    '--timeout')
        return
        ;;
    '--secret-file')
        __gfs_add_completions -f
        return
        ;;
    '--tls-ca')
        __gfs_add_completions -f
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __gfs_add_completions -W "$(__gfs_custom_complete ---completion quota show -- positional@0 "${COMP_CWORD}" "$(__gfs_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_gfs_du() {
    repeating_flags=()
    non_repeating_flags=(--local-reads --no-local-reads -s -h --human-readable --json --version --help)
    repeating_options=()
    non_repeating_options=(--master --timeout --secret-file --tls-ca)
    __gfs_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '--master')
        return
        ;;
    '--timeout')
        return
        ;;
    '--secret-file')
        __gfs_add_completions -f
        return
        ;;
    '--tls-ca')
        __gfs_add_completions -f
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    *)
        __gfs_add_completions -W "$(__gfs_custom_complete ---completion du -- positional@0 "${COMP_CWORD}" "$(__gfs_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_gfs_count() {
    repeating_flags=()
    non_repeating_flags=(--local-reads --no-local-reads -h --human-readable -q --json --version --help)
    repeating_options=()
    non_repeating_options=(--master --timeout --secret-file --tls-ca)
    __gfs_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '--master')
        return
        ;;
    '--timeout')
        return
        ;;
    '--secret-file')
        __gfs_add_completions -f
        return
        ;;
    '--tls-ca')
        __gfs_add_completions -f
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    *)
        __gfs_add_completions -W "$(__gfs_custom_complete ---completion count -- positional@0 "${COMP_CWORD}" "$(__gfs_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_gfs_df() {
    repeating_flags=()
    non_repeating_flags=(--local-reads --no-local-reads -h --human-readable --json --version --help)
    repeating_options=()
    non_repeating_options=(--master --timeout --secret-file --tls-ca)
    __gfs_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--master')
        return
        ;;
    '--timeout')
        return
        ;;
    '--secret-file')
        __gfs_add_completions -f
        return
        ;;
    '--tls-ca')
        __gfs_add_completions -f
        return
        ;;
    esac
}

_gfs_checksum() {
    repeating_flags=()
    non_repeating_flags=(--local-reads --no-local-reads --local --json --version -h --help)
    repeating_options=()
    non_repeating_options=(--master --timeout --secret-file --tls-ca)
    __gfs_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '--master')
        return
        ;;
    '--timeout')
        return
        ;;
    '--secret-file')
        __gfs_add_completions -f
        return
        ;;
    '--tls-ca')
        __gfs_add_completions -f
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    *)
        __gfs_add_completions -W "$(__gfs_custom_complete ---completion checksum -- positional@0 "${COMP_CWORD}" "$(__gfs_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_gfs_fsck() {
    repeating_flags=()
    non_repeating_flags=(--local-reads --no-local-reads --files --chunks --locations --json --version -h --help)
    repeating_options=()
    non_repeating_options=(--master --timeout --secret-file --tls-ca)
    __gfs_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--master')
        return
        ;;
    '--timeout')
        return
        ;;
    '--secret-file')
        __gfs_add_completions -f
        return
        ;;
    '--tls-ca')
        __gfs_add_completions -f
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __gfs_add_completions -W "$(__gfs_custom_complete ---completion fsck -- positional@0 "${COMP_CWORD}" "$(__gfs_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_gfs_gc() {
    repeating_flags=()
    non_repeating_flags=(--local-reads --no-local-reads --now --json --version -h --help)
    repeating_options=()
    non_repeating_options=(--master --timeout --secret-file --tls-ca)
    __gfs_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--master')
        return
        ;;
    '--timeout')
        return
        ;;
    '--secret-file')
        __gfs_add_completions -f
        return
        ;;
    '--tls-ca')
        __gfs_add_completions -f
        return
        ;;
    esac
}

_gfs_status() {
    repeating_flags=()
    non_repeating_flags=(--local-reads --no-local-reads -h --human-readable --json --version --help)
    repeating_options=()
    non_repeating_options=(--master --timeout --secret-file --tls-ca)
    __gfs_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--master')
        return
        ;;
    '--timeout')
        return
        ;;
    '--secret-file')
        __gfs_add_completions -f
        return
        ;;
    '--tls-ca')
        __gfs_add_completions -f
        return
        ;;
    esac
}

_gfs_drain() {
    repeating_flags=()
    non_repeating_flags=(--local-reads --no-local-reads --stop --version -h --help)
    repeating_options=()
    non_repeating_options=(--master --timeout --secret-file --tls-ca)
    __gfs_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--master')
        return
        ;;
    '--timeout')
        return
        ;;
    '--secret-file')
        __gfs_add_completions -f
        return
        ;;
    '--tls-ca')
        __gfs_add_completions -f
        return
        ;;
    esac
}

_gfs_tune() {
    repeating_flags=()
    non_repeating_flags=(--local-reads --no-local-reads --version -h --help)
    repeating_options=()
    non_repeating_options=(--master --timeout --secret-file --tls-ca --clones-per-server --clones-total --clone-rate)
    __gfs_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--master')
        return
        ;;
    '--timeout')
        return
        ;;
    '--secret-file')
        __gfs_add_completions -f
        return
        ;;
    '--tls-ca')
        __gfs_add_completions -f
        return
        ;;
    '--clones-per-server')
        return
        ;;
    '--clones-total')
        return
        ;;
    '--clone-rate')
        return
        ;;
    esac
}

_gfs_promote() {
    repeating_flags=()
    non_repeating_flags=(--local-reads --no-local-reads --version -h --help)
    repeating_options=()
    non_repeating_options=(--master --timeout --secret-file --tls-ca)
    __gfs_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--master')
        return
        ;;
    '--timeout')
        return
        ;;
    '--secret-file')
        __gfs_add_completions -f
        return
        ;;
    '--tls-ca')
        __gfs_add_completions -f
        return
        ;;
    esac
}

_gfs_shell() {
    repeating_flags=()
    non_repeating_flags=(--local-reads --no-local-reads --keep-going --version -h --help)
    repeating_options=()
    non_repeating_options=(--master --timeout --secret-file --tls-ca -c)
    __gfs_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--master')
        return
        ;;
    '--timeout')
        return
        ;;
    '--secret-file')
        __gfs_add_completions -f
        return
        ;;
    '--tls-ca')
        __gfs_add_completions -f
        return
        ;;
    '-c')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __gfs_add_completions -f
        return
        ;;
    esac
}

_gfs_bench() {
    repeating_flags=()
    non_repeating_flags=(--local-reads --no-local-reads --local --baseline --json --version -h --help)
    repeating_options=()
    non_repeating_options=(--master --timeout --secret-file --tls-ca --clients --size --record-size --batch --files --chunks --rounds)
    __gfs_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--master')
        return
        ;;
    '--timeout')
        return
        ;;
    '--secret-file')
        __gfs_add_completions -f
        return
        ;;
    '--tls-ca')
        __gfs_add_completions -f
        return
        ;;
    '--clients')
        return
        ;;
    '--size')
        return
        ;;
    '--record-size')
        return
        ;;
    '--batch')
        return
        ;;
    '--files')
        return
        ;;
    '--chunks')
        return
        ;;
    '--rounds')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __gfs_add_completions -W 'write'$'\n''read'$'\n''append'$'\n''meta'$'\n''memory'
        return
        ;;
    esac
}

_gfs_help() {
    repeating_flags=()
    non_repeating_flags=(--version)
    repeating_options=()
    non_repeating_options=()
    __gfs_offer_flags_options -1
}

complete -o filenames -F _gfs gfs
