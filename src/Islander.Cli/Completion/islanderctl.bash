# bash completion for islanderctl                                       -*- shell-script -*-
# From `islanderctl completion bash`; the Debian package installs it as
# /usr/share/bash-completion/completions/islanderctl. Elsewhere: source <(islanderctl completion bash)
# The candidates come from islanderctl itself (`islanderctl __complete -- WORDS... CURRENT`): its verbs and flags,
# and the names of isles, networks, volumes and images from islanderd. No daemon: no names, and nothing printed.

# Sets words, cword and cur. COMP_WORDS is cut at COMP_WORDBREAKS, so busybox:latest is three words there: glue back
# the pieces no blank separates in COMP_LINE (what bash-completion's _get_comp_words_by_ref -n =: does, when it is
# not loaded).
__islanderctl_words() {
    local line=${COMP_LINE:0:COMP_POINT} lead word i
    words=() cword=-1
    for ((i = 0; i <= COMP_CWORD; i++)); do
        lead=${line%%[![:space:]]*}
        line=${line#"$lead"}
        word=${COMP_WORDS[i]}
        # The cursor's word ends at the cursor.
        ((i == COMP_CWORD)) && word=${line}
        if [[ -n $lead || $cword -lt 0 ]]; then
            words+=("$word")
            ((cword++))
        else
            words[cword]+=$word
        fi
        line=${line#"$word"}
    done
    cur=${words[cword]}
}

_islanderctl() {
    local cur words cword
    if declare -F _get_comp_words_by_ref >/dev/null; then
        _get_comp_words_by_ref -n =: cur words cword
    else
        __islanderctl_words
    fi
    local out line directive=values
    local -a candidates=()
    out=$("${words[0]}" __complete -- "${words[@]:1:cword-1}" "$cur" 2>/dev/null) || return 0
    while IFS= read -r line; do
        case $line in
        :*) directive=${line#:} ;;
        ?*) candidates+=("${line%%$'\t'*}") ;;
        esac
    done <<<"$out"
    COMPREPLY=("${candidates[@]}")
    case $directive in
    files)
        compopt -o filenames 2>/dev/null
        mapfile -t -O "${#COMPREPLY[@]}" COMPREPLY < <(compgen -f -- "$cur")
        ;;
    dirs)
        compopt -o filenames 2>/dev/null
        mapfile -t -O "${#COMPREPLY[@]}" COMPREPLY < <(compgen -d -- "$cur")
        ;;
    esac
    # bash replaces only the part of the word after its last ':' (a word break): drop what comes before it.
    if [[ $cur == *:* && $COMP_WORDBREAKS == *:* ]]; then
        local prefix=${cur%"${cur##*:}"} i
        for i in "${!COMPREPLY[@]}"; do COMPREPLY[i]=${COMPREPLY[i]#"$prefix"}; done
    fi
    return 0
}

complete -F _islanderctl islanderctl
