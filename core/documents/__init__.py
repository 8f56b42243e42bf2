"""The PDFs: the 認証キー等のお知らせ (auth key notice) and the 電子証書 (certificate view).

Writing: ``notice``, ``certificate`` on ``layout`` with the embedded Japanese fonts
(``fonts``, ``truetype``). Reading what a contractor sent: ``reader`` (and the text
finding in ``finding``), run in an isolated, bounded process by ``worker``.
"""
