"""Recipients move to their official codes; their cases, letters and history records keep pointing at them.

The project first shipped its municipalities under codes of its own
(``12-nagareyama``); this gives each its six-digit 全国地方公共団体コード and keeps
the old one in ``former_code``. Cases, letters, payments and history records
refer to a recipient by its row id, so they follow it. The hashed history is
not touched: a record whose ``data`` quoted the old code still quotes it, and
still verifies. Prefectures (JIS X 0401) and wide-area unions (``NN-wau``)
keep their codes. The rest of the national list comes with
``manage.py load_local_governments``, which needs ``grants.change_recipient``:
the administrators' role and the system user are granted it here.
"""

from django.db import migrations, models

from grants.models import Role
from grants.roles import permissions_create, standard_roles_grant

# Project code → official code, for the 103 municipalities the project shipped.
OFFICIAL_CODES = {
    "11-saitama": "111007",  # さいたま市
    "12-chiba": "121002",  # 千葉市
    "14-yokohama": "141003",  # 横浜市
    "14-sagamihara": "141500",  # 相模原市
    "14-kawasaki": "141305",  # 川崎市
    "15-niigata": "151009",  # 新潟市
    "08-mito": "082015",  # 水戸市
    "08-namegata": "082333",  # 行方市
    "08-tsukubamirai": "082350",  # つくばみらい市
    "08-hokota": "082341",  # 鉾田市
    "09-sakura": "092142",  # さくら市
    "09-kanuma": "092053",  # 鹿沼市
    "09-utsunomiya": "092011",  # 宇都宮市
    "09-mibu": "093611",  # 壬生町
    "09-oyama": "092088",  # 小山市
    "09-takanezawa": "093866",  # 高根沢町
    "09-otawara": "092100",  # 大田原市
    "09-kaminokawa": "093017",  # 上三川町
    "09-nikko": "092061",  # 日光市
    "10-minakami": "104493",  # みなかみ町
    "10-tamamura": "104647",  # 玉村町
    "11-kawagoe": "112011",  # 川越市
    "11-koshigaya": "112224",  # 越谷市
    "11-sakado": "112399",  # 坂戸市
    "11-tsurugashima": "112411",  # 鶴ヶ島市
    "12-matsudo": "122076",  # 松戸市
    "12-nagareyama": "122203",  # 流山市
    "12-abiko": "122220",  # 我孫子市
    "12-kamagaya": "122246",  # 鎌ケ谷市
    "12-yachiyo": "122211",  # 八千代市
    "14-fujisawa": "142051",  # 藤沢市
    "14-isehara": "142140",  # 伊勢原市
    "14-oiso": "143413",  # 大磯町
    "14-atsugi": "142123",  # 厚木市
    "14-zushi": "142085",  # 逗子市
    "15-shibata": "152064",  # 新発田市
    "15-murakami": "152129",  # 村上市
    "15-tainai": "152277",  # 胎内市
    "15-kashiwazaki": "152056",  # 柏崎市
    "15-sanjo": "152048",  # 三条市
    "19-minami-alps": "192082",  # 南アルプス市
    "19-koshu": "192139",  # 甲州市
    "19-fujikawa": "193682",  # 富士川町
    "19-yamanashi": "192058",  # 山梨市
    "19-kofu": "192015",  # 甲府市
    "20-komagane": "202100",  # 駒ヶ根市
    "20-komoro": "202088",  # 小諸市
    "20-toyooka": "204161",  # 豊丘村
    "20-fujimi": "203629",  # 富士見町
    "20-matsumoto": "202029",  # 松本市
    "13-chiyoda": "131016",  # 千代田区
    "13-chuo": "131024",  # 中央区
    "13-minato": "131032",  # 港区
    "13-shinjuku": "131041",  # 新宿区
    "13-bunkyo": "131059",  # 文京区
    "13-taito": "131067",  # 台東区
    "13-sumida": "131075",  # 墨田区
    "13-koto": "131083",  # 江東区
    "13-shinagawa": "131091",  # 品川区
    "13-meguro": "131105",  # 目黒区
    "13-ota": "131113",  # 大田区
    "13-setagaya": "131121",  # 世田谷区
    "13-shibuya": "131130",  # 渋谷区
    "13-nakano": "131148",  # 中野区
    "13-suginami": "131156",  # 杉並区
    "13-toshima": "131164",  # 豊島区
    "13-kita": "131172",  # 北区
    "13-arakawa": "131181",  # 荒川区
    "13-itabashi": "131199",  # 板橋区
    "13-nerima": "131202",  # 練馬区
    "13-adachi": "131211",  # 足立区
    "13-katsushika": "131229",  # 葛飾区
    "13-edogawa": "131237",  # 江戸川区
    "13-hachioji": "132012",  # 八王子市
    "13-tachikawa": "132021",  # 立川市
    "13-musashino": "132039",  # 武蔵野市
    "13-mitaka": "132047",  # 三鷹市
    "13-ome": "132055",  # 青梅市
    "13-fuchu": "132063",  # 府中市
    "13-akishima": "132071",  # 昭島市
    "13-chofu": "132080",  # 調布市
    "13-machida": "132098",  # 町田市
    "13-koganei": "132101",  # 小金井市
    "13-kodaira": "132110",  # 小平市
    "13-hino": "132128",  # 日野市
    "13-higashimurayama": "132136",  # 東村山市
    "13-kokubunji": "132144",  # 国分寺市
    "13-kunitachi": "132152",  # 国立市
    "13-fussa": "132187",  # 福生市
    "13-komae": "132195",  # 狛江市
    "13-higashiyamato": "132209",  # 東大和市
    "13-kiyose": "132217",  # 清瀬市
    "13-higashikurume": "132225",  # 東久留米市
    "13-musashimurayama": "132233",  # 武蔵村山市
    "13-tama": "132241",  # 多摩市
    "13-inagi": "132250",  # 稲城市
    "13-hamura": "132276",  # 羽村市
    "13-akiruno": "132284",  # あきる野市
    "13-nishitokyo": "132292",  # 西東京市
    "13-mizuho": "133035",  # 瑞穂町
    "13-hinode": "133051",  # 日の出町
    "13-hinohara": "133078",  # 檜原村
    "13-okutama": "133086",  # 奥多摩町
}


def to_official_codes(apps, schema_editor):
    recipient = apps.get_model("grants", "Recipient")
    taken = set(recipient.objects.filter(code__in=OFFICIAL_CODES.values()).values_list("code", flat=True))
    for row in recipient.objects.filter(code__in=OFFICIAL_CODES):
        official = OFFICIAL_CODES[row.code]
        if official in taken:
            raise RuntimeError(
                f"Recipient {row.code} ({row.name_ja}) cannot take code {official}: another recipient has it. "
                "Move the cases of one to the other by hand, then migrate again."
            )
        row.former_code, row.code = row.code, official
        row.save(update_fields=["code", "former_code"])


def administrators_load_recipients(apps, schema_editor):
    permissions_create(apps)
    standard_roles_grant(apps, roles=[Role.ADMINISTRATOR])


def to_project_codes(apps, schema_editor):
    recipient = apps.get_model("grants", "Recipient")
    for row in recipient.objects.filter(former_code__in=OFFICIAL_CODES, code__in=OFFICIAL_CODES.values()):
        row.code, row.former_code = row.former_code, ""
        row.save(update_fields=["code", "former_code"])


class Migration(migrations.Migration):

    dependencies = [
        ('grants', '0008_codes_from_the_registry'),
    ]

    operations = [
        migrations.AddField(
            model_name='recipient',
            name='former_code',
            field=models.CharField(blank=True, default='', help_text='The code it had before its official one (its history may name it)', max_length=32),
        ),
        migrations.AddField(
            model_name='recipient',
            name='name_kana',
            field=models.CharField(blank=True, default='', help_text='Reading in full-width katakana', max_length=120),
        ),
        migrations.AddField(
            model_name='recipient',
            name='retired_on',
            field=models.DateField(blank=True, help_text='The day a load found it no longer on the national list; it takes no new cases', null=True),
        ),
        migrations.AlterField(
            model_name='recipient',
            name='name_en',
            field=models.CharField(blank=True, default='', max_length=100),
        ),
        migrations.RunPython(to_official_codes, to_project_codes),
        migrations.RunPython(administrators_load_recipients, migrations.RunPython.noop),
    ]
