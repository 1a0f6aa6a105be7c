"""Number separators per locale for ``format(x, d, locale)``.

Go's ``golang.org/x/text`` carries CLDR data; this table holds the grouping and
decimal separators eKuiper's own tests show (``funcs_str_test.go``), and a
locale not listed takes its language's first entry, else English.
"""

from __future__ import annotations

_NBSP, _APOS = "\u00a0", "\u2019"
# "." group + "," decimal
_DOT_COMMA = (
    "de_DE de_BE de_LU ar_LB ar_LY ar_MA ar_TN ar_DZ da_DK el_GR es_AR es_BO es_CL es_CO es_EC "
    "es_ES es_PY es_UY es_VE fo_FO fr_LU gl_ES hr_HR id_ID is_IS it_IT mk_MK nl_BE nl_NL pt_BR "
    "ro_RO sl_SI sr_RS tr_TR vi_VN ca_ES eu_ES"
)
# no-break space group + "," decimal
_SPACE_COMMA = (
    "cs_CZ de_AT en_ZA es_CR fi_FI fr_BE fr_CA fr_CH fr_FR hu_HU lt_LT lv_LV nb_NO pl_PL pt_PT "
    "ru_RU ru_UA sk_SK sq_AL sv_FI sv_SE uk_UA be_BY bg_BG et_EE"
)
_APOS_DOT = "de_CH it_CH rm_CH"
# "," group + "." decimal (also the default)
_COMMA_DOT = (
    "en_US en_AU en_CA en_GB en_IN en_NZ en_PH en_ZW zh_CN zh_HK zh_TW ja_JP ko_KR ar_AE ar_BH "
    "ar_EG ar_IQ ar_JO ar_KW ar_OM ar_QA ar_SA ar_SD ar_SY ar_YE es_DO es_GT es_HN es_MX es_NI "
    "es_PA es_PE es_PR es_SV es_US gu_IN hi_IN he_IL mn_MN ms_MY no_NO ta_IN te_IN th_TH ur_PK"
)

SEPARATORS: dict[str, tuple[str, str]] = {
    **{loc: (",", ".") for loc in _COMMA_DOT.split()},
    **{loc: (".", ",") for loc in _DOT_COMMA.split()},
    **{loc: (_NBSP, ",") for loc in _SPACE_COMMA.split()},
    **{loc: (_APOS, ".") for loc in _APOS_DOT.split()},
    "ar_IN": ("\u066c", "\u066b"),
}
ARABIC_INDIC = {"ar_IN"}


def separators(locale: str) -> tuple[str, str]:
    """(group, decimal) separators for ``locale`` such as ``de_DE``.

    >>> separators("de_DE"), separators("en_US")
    (('.', ','), (',', '.'))
    """
    if locale in SEPARATORS:
        return SEPARATORS[locale]
    lang = locale.split("_")[0] + "_"
    seen = [s for loc, s in SEPARATORS.items() if loc.startswith(lang) and loc not in ARABIC_INDIC]
    return max(set(seen), key=seen.count) if seen else (",", ".")
