"""Passwords and words that guessing tools try first (our own short list, lower case).

Only what can pass the 8-character minimum matters. `COMMON_WORDS` are rejected also with
digits or symbols around them ("Password1!", "2026welcome"), which is how people "strengthen"
them and exactly what guessing tools try next; runs, repeats and the username are rules in
`passwords.py`, not entries here.
"""


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


COMMON_WORDS = _words(
    """
    password passw0rd p@ssword p@ssw0rd pa$$word pass word passwd pwd secret
    admin administrator root login user guest test tester demo default changeme welcome
    letmein trustno iloveyou loveyou love lovely loveme hello whatever nothing
    qwerty qwert asdf zxcv abc abcd abcdef abcdefg aaa qq a aa
    monkey dragon master shadow superman batman spiderman starwars pokemon
    football baseball basketball soccer hockey golf tennis
    sunshine princess flower freedom summer winter spring autumn
    computer internet google samsung apple iphone windows linux
    michael jennifer jordan charlie thomas jessica ashley daniel andrew joshua matthew nicole
    liverpool chelsea arsenal manchester
    mustang harley hunter ranger buster killer pepper ginger cookie cheese banana orange
    purple silver golden diamond money
    agentdesk contact center callcenter service support agent
    woaini aini wangyi zhang wang china beijing shanghai
    """
)

COMMON_PASSWORDS = _words(
    """
    1qaz2wsx 1q2w3e4r 1q2w3e4r5t q1w2e3r4 q1w2e3r4t5 zaq12wsx 1qaz@wsx 1qazxsw2 12qwaszx
    qwer1234 1234qwer asdf1234 1234asdf zxcv1234 qwe123456 123456qwe qweasdzxc qazwsxedc
    abcd1234 1234abcd a1b2c3d4 abc12345 abc123456 a1234567 a12345678 a123456789
    aa123456 aa123456789 qq123456 123456aa 123456abc 123456789a
    123123123 12341234 11223344 112233445566 147258369 159753 741852963 123654789
    5201314520 1314520520 woaini1314 woaini520 iloveyou1314
    00000000 11111111 88888888 66666666 12345678 123456789 1234567890 87654321
    """
)
